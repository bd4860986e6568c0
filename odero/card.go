package odero

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/httpx"
	"github.com/paywidget/paywidget-go/internal/paging"
)

// StoredCard is a card saved in OderoPay's vault. It never holds a card
// number: only the BIN, the last four digits and the vault's keys.
type StoredCard struct {
	BinNumber       string          `json:"binNumber,omitempty"`
	LastFourDigits  string          `json:"lastFourDigits,omitempty"`
	ExpireYear      string          `json:"expireYear,omitempty"`
	ExpireMonth     string          `json:"expireMonth,omitempty"`
	CardHolderName  string          `json:"cardHolderName,omitempty"`
	CardUserKey     string          `json:"cardUserKey,omitempty"`
	CardToken       string          `json:"cardToken,omitempty"`
	CardAlias       string          `json:"cardAlias,omitempty"`
	CardType        CardType        `json:"cardType,omitempty"`
	CardAssociation CardAssociation `json:"cardAssociation,omitempty"`
	CardBrand       string          `json:"cardBrand,omitempty"`
	CardBankName    string          `json:"cardBankName,omitempty"`
	CardBankID      int64           `json:"cardBankId,omitempty"`
}

// SearchCardsRequest filters the stored cards (GET /payment/v1/cards). Empty
// fields are not sent; Page starts at 0 and PageSize defaults to 10.
type SearchCardsRequest struct {
	CardUserKey     string
	CardToken       string
	CardAlias       string
	CardBrand       string
	CardType        CardType
	CardBankName    string
	CardAssociation CardAssociation
	Page            int
	PageSize        int
}

// Validate checks the paging bounds.
func (r *SearchCardsRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	if r.Page < 0 {
		v.Add("page", "must not be negative")
	}
	if r.PageSize < 0 || r.PageSize > 1000 {
		v.Add("size", "must be between 1 and 1000")
	}
	return v.Err()
}

func (r *SearchCardsRequest) query() url.Values {
	q := url.Values{}
	add := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	add("cardUserKey", r.CardUserKey)
	add("cardToken", r.CardToken)
	add("cardAlias", r.CardAlias)
	add("cardBrand", r.CardBrand)
	add("cardType", string(r.CardType))
	add("cardBankName", r.CardBankName)
	add("cardAssociation", string(r.CardAssociation))
	size := r.PageSize
	if size == 0 {
		size = 10
	}
	q.Set("page", strconv.Itoa(r.Page))
	q.Set("size", strconv.Itoa(size))
	return q
}

// CardList is one page of stored cards.
type CardList struct {
	Items     []StoredCard `json:"items"`
	Page      int          `json:"page"`
	Size      int          `json:"size"`
	TotalSize int64        `json:"totalSize"`
	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// SearchCards lists stored cards. It is a read and safe to retry.
func (c *Client) SearchCards(ctx context.Context, req *SearchCardsRequest) (_ *CardList, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.SearchCards", "")
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return nil, err
	}
	resp, err := c.send(ctx, http.MethodGet, "/payment/v1/cards", req.query(), nil, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out, err := decodeList(resp.Body)
	if err != nil {
		return nil, err
	}
	out.Meta = resp.Meta()
	return out, nil
}

// AllCards walks every page of SearchCards from req.Page (default 0) with
// req.PageSize (default 10): range over it for each stored card, and stop
// when you have what you need. The first error is yielded and ends the
// walk. Each page is one safe-to-retry read.
func (c *Client) AllCards(ctx context.Context, req *SearchCardsRequest) iter.Seq2[StoredCard, error] {
	var r SearchCardsRequest
	if req != nil {
		r = *req
	}
	size := r.PageSize
	if size == 0 {
		size = 10
	}
	return paging.All(ctx, r.Page, func(ctx context.Context, page int) ([]StoredCard, bool, error) {
		r := r
		r.Page = page
		list, err := c.SearchCards(ctx, &r)
		if err != nil {
			return nil, false, err
		}
		return list.Items, int64(page+1)*int64(size) < list.TotalSize, nil
	})
}

// decodeList reads {"data": {items…}} or, failing a data member, a top-level
// {"items": …}.
func decodeList(body []byte) (*CardList, error) {
	var env struct {
		Data *CardList `json:"data"`
		CardList
	}
	if err := httpx.DecodeJSON(provider, body, &env); err != nil {
		return nil, err
	}
	if env.Data != nil {
		return env.Data, nil
	}
	return &env.CardList, nil
}

// DeleteCardRequest names the stored card to delete. Both keys are the
// 36-character identifiers the vault issued.
type DeleteCardRequest struct {
	CardUserKey string
	CardToken   string
}

// Validate checks that both keys are present and 36 characters long.
func (r *DeleteCardRequest) Validate() error {
	if r == nil {
		return httpx.Invalid(provider, "request", "required")
	}
	v := httpx.NewViolations(provider, r)
	for _, f := range []struct{ name, v string }{{"cardUserKey", r.CardUserKey}, {"cardToken", r.CardToken}} {
		if err := validateToken(f.name, f.v); err != nil {
			v.AddErr(err)
		} else if len(f.v) != 36 {
			v.Add(f.name, "must be 36 characters")
		}
	}
	return v.Err()
}

// DeleteCard removes a stored card (DELETE /payment/v1/cards, answered 204).
// Deleting is idempotent, so it is safe to retry.
func (c *Client) DeleteCard(ctx context.Context, req *DeleteCardRequest) (_ Meta, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.DeleteCard", "")
	defer sp.End(&err)
	if err := req.Validate(); err != nil {
		return Meta{}, err
	}
	q := url.Values{"cardUserKey": {req.CardUserKey}, "cardToken": {req.CardToken}}
	return c.call(ctx, http.MethodDelete, "/payment/v1/cards", q, nil, nil, httpx.RetrySafe)
}
