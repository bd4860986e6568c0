package oderotest

import (
	"net/http"
	"strconv"

	"github.com/paywidget/paywidget-go/odero"
)

// storeCard saves the card of a paid checkout, keeping only its BIN and last
// four digits; the caller holds s.mu.
func (s *Server) storeCard(c *checkout, holder, number, month, year string) {
	user := c.req.CardUserKey
	if user == "" {
		user = newToken()
	}
	s.cards = append(s.cards, &odero.StoredCard{
		BinNumber: number[:6], LastFourDigits: number[len(number)-4:],
		ExpireMonth: month, ExpireYear: year, CardHolderName: holder,
		CardUserKey: user, CardToken: newToken(), CardAlias: "card " + number[len(number)-4:],
		CardType: odero.CardTypeCredit, CardAssociation: odero.CardAssociationVisa,
	})
}

// StoreCard saves a test card for cardUserKey and returns its cardToken.
func (s *Server) StoreCard(cardUserKey, lastFour string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := newToken()
	s.cards = append(s.cards, &odero.StoredCard{
		BinNumber: "411111", LastFourDigits: lastFour, CardUserKey: cardUserKey, CardToken: tok,
		CardType: odero.CardTypeCredit, CardAssociation: odero.CardAssociationVisa,
	})
	return tok
}

func (s *Server) searchCards(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	size, _ := strconv.Atoi(q.Get("size"))
	if size <= 0 {
		size = 10
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []odero.StoredCard
	for _, c := range s.cards {
		if (q.Get("cardUserKey") == "" || q.Get("cardUserKey") == c.CardUserKey) &&
			(q.Get("cardToken") == "" || q.Get("cardToken") == c.CardToken) &&
			(q.Get("cardAlias") == "" || q.Get("cardAlias") == c.CardAlias) {
			match = append(match, *c)
		}
	}
	total := len(match)
	from := min(page*size, total)
	to := min(from+size, total)
	writeData(w, http.StatusOK, map[string]any{"items": append([]odero.StoredCard{}, match[from:to]...), "page": page, "size": size, "totalSize": total})
}

func (s *Server) deleteCard(w http.ResponseWriter, r *http.Request, _ []byte) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, c := range s.cards {
		if c.CardUserKey == q.Get("cardUserKey") && c.CardToken == q.Get("cardToken") {
			s.cards = append(s.cards[:i], s.cards[i+1:]...)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeError(w, http.StatusNotFound, "10104", "", "card not found")
}
