package oderotest

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// Card is what a shopper types into the hosted page. Use the test numbers in
// the package documentation to choose an outcome.
type Card struct {
	HolderName, Number, ExpireMonth, ExpireYear, CVC string
	// Save ticks "save my card".
	Save bool
	// ThreeDSCode answers a 3-D Secure step ("123456" passes). Empty, the
	// shopper abandons the payment at that step.
	ThreeDSCode string
}

// TestCard is an approved card.
var TestCard = Card{HolderName: "Test Shopper", Number: "4111111111111111", ExpireMonth: "12", ExpireYear: "2030", CVC: "123", ThreeDSCode: "123456"}

var (
	formRe   = regexp.MustCompile(`<form id="([a-z0-9-]+)" method="post" action="([^"]*)">`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
)

// PayHostedPage plays the shopper's browser on the fake's hosted page: it
// opens pageURL, submits the card, answers a 3-D Secure step if one comes,
// and posts the returned callback form to the merchant's callbackUrl the way
// the browser's onload script would. It returns the merchant's response to
// that callback (the caller closes its body), or nil when the checkout had no
// callback URL.
func PayHostedPage(ctx context.Context, hc *http.Client, pageURL string, card Card) (*http.Response, error) {
	page, err := url.Parse(pageURL)
	if err != nil {
		return nil, err
	}
	body, err := fetch(ctx, hc, http.MethodGet, page, nil)
	if err != nil {
		return nil, err
	}
	action, _, err := findForm(body, "odero-card-form", page)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"cardHolderName": {card.HolderName}, "cardNumber": {card.Number},
		"expireMonth": {card.ExpireMonth}, "expireYear": {card.ExpireYear}, "cvc": {card.CVC},
	}
	if card.Save {
		form.Set("saveCard", "true")
	}
	body, err = fetch(ctx, hc, http.MethodPost, action, form)
	if err != nil {
		return nil, err
	}
	if strings.Contains(body, `id="odero-3ds-form"`) {
		if card.ThreeDSCode == "" {
			return nil, nil
		}
		action, _, err = findForm(body, "odero-3ds-form", page)
		if err != nil {
			return nil, err
		}
		body, err = fetch(ctx, hc, http.MethodPost, action, url.Values{"code": {card.ThreeDSCode}})
		if err != nil {
			return nil, err
		}
	}
	if strings.Contains(body, `id="odero-done"`) {
		return nil, nil
	}
	action, fields, err := findForm(body, "odero-callback-form", page)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return hc.Do(req)
}

func fetch(ctx context.Context, hc *http.Client, method string, u *url.URL, form url.Values) (string, error) {
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", errors.New("oderotest: hosted page answered " + resp.Status)
	}
	return string(b), nil
}

// findForm returns the absolute action and hidden fields of the form id.
func findForm(body, id string, base *url.URL) (*url.URL, url.Values, error) {
	for _, m := range formRe.FindAllStringSubmatchIndex(body, -1) {
		if body[m[2]:m[3]] != id {
			continue
		}
		action, err := base.Parse(html.UnescapeString(body[m[4]:m[5]]))
		if err != nil {
			return nil, nil, err
		}
		rest := body[m[1]:]
		if end := strings.Index(rest, "</form>"); end >= 0 {
			rest = rest[:end]
		}
		fields := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(rest, -1) {
			fields.Add(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		return action, fields, nil
	}
	return nil, nil, errors.New("oderotest: page has no form " + id)
}
