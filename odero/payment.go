package odero

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// Payment is a payment as RetrieveCheckout returns it. The gateway has been
// seen to send two shapes (a flat one and a detailed one); Payment holds the
// union, and every field is optional.
type Payment struct {
	ID             int64         `json:"id,omitempty"`
	CreatedDate    DateTime      `json:"createdDate,omitzero"`
	UpdatedDate    DateTime      `json:"updatedDate,omitzero"`
	OrderID        string        `json:"orderId,omitempty"`
	ConversationID string        `json:"conversationId,omitempty"`
	Price          Amount        `json:"price"`
	PaidPrice      Amount        `json:"paidPrice"`
	WalletPrice    Amount        `json:"walletPrice"`
	Currency       Currency      `json:"currency,omitempty"`
	Status         PaymentStatus `json:"paymentStatus,omitempty"`
	Type           PaymentType   `json:"paymentType,omitempty"`
	Group          PaymentGroup  `json:"paymentGroup,omitempty"`
	Phase          PaymentPhase  `json:"paymentPhase,omitempty"`
	ConnectorType  string        `json:"connectorType,omitempty"`
	BuyerID        int64         `json:"buyerId,omitempty"`
	Installment    int           `json:"installment,omitempty"`
	IsThreeDS      bool          `json:"isThreeDS,omitempty"`

	// Flat-shape card fields.
	CardUserKey        string          `json:"cardUserKey,omitempty"`
	CardToken          string          `json:"cardToken,omitempty"`
	PaidWithStoredCard bool            `json:"paidWithStoredCard,omitempty"`
	BinNumber          string          `json:"binNumber,omitempty"`
	LastFourDigits     string          `json:"lastFourDigits,omitempty"`
	CardType           CardType        `json:"cardType,omitempty"`
	CardAssociation    CardAssociation `json:"cardAssociation,omitempty"`
	CardBrand          string          `json:"cardBrand,omitempty"`

	MerchantCommissionRate       *Amount `json:"merchantCommissionRate,omitempty"`
	MerchantCommissionRateAmount *Amount `json:"merchantCommissionRateAmount,omitempty"`
	PfCommissionRateAmount       *Amount `json:"pfCommissionRateAmount,omitempty"`

	// Detailed-shape members.
	Card         *PaymentCard         `json:"paymentCard,omitempty"`
	Refunds      []PaymentRefund      `json:"paymentRefunds,omitempty"`
	Transactions []PaymentTransaction `json:"paymentTransactions,omitempty"`

	// Meta is the HTTP metadata of the reply.
	Meta Meta `json:"-"`
}

// Paid reports whether the gateway says the payment succeeded.
func (p *Payment) Paid() bool { return p.Status == PaymentStatusSuccess }

// PaymentCard is the card and fee detail of a payment. It holds only the BIN
// and the last four digits, never a card number.
type PaymentCard struct {
	CardType                     CardType        `json:"cardType,omitempty"`
	CardAssociation              CardAssociation `json:"cardAssociation,omitempty"`
	CardBrand                    string          `json:"cardBrand,omitempty"`
	CardHolderName               string          `json:"cardHolderName,omitempty"`
	BinNumber                    string          `json:"binNumber,omitempty"`
	LastFourDigits               string          `json:"lastFourDigits,omitempty"`
	Installment                  int             `json:"installment,omitempty"`
	IsThreeDS                    bool            `json:"isThreeDS,omitempty"`
	MDStatus                     *int            `json:"mdStatus,omitempty"`
	PfCommissionRateAmount       *Amount         `json:"pfCommissionRateAmount,omitempty"`
	MerchantCommissionRate       *Amount         `json:"merchantCommissionRate,omitempty"`
	MerchantCommissionRateAmount *Amount         `json:"merchantCommissionRateAmount,omitempty"`
	Error                        *PaymentError   `json:"error,omitempty"`
}

// PaymentError is the error nested in a failed payment or refund. It is an
// error matching ErrPaymentFailed.
type PaymentError struct {
	// Code is errorCode; the gateway sends it as a string or a number.
	Code    string     `json:"errorCode,omitempty"`
	Name    string     `json:"errorName,omitempty"`
	Group   ErrorGroup `json:"errorGroup,omitempty"`
	Message string     `json:"errorMessage,omitempty"`
}

func (e *PaymentError) Error() string {
	s := "odero: payment failed"
	if e.Code != "" {
		s += ": error " + truncate(e.Code, 40)
	}
	if e.Group != "" {
		s += " (" + truncate(string(e.Group), 60) + ")"
	}
	if e.Message != "" {
		s += ": " + truncate(e.Message, 200)
	}
	return s
}

// Unwrap lets errors.Is(err, ErrPaymentFailed) hold.
func (e *PaymentError) Unwrap() error { return ErrPaymentFailed }

// UnmarshalJSON reads errorCode as a string or a number.
func (e *PaymentError) UnmarshalJSON(b []byte) error {
	type plain PaymentError
	var w struct {
		plain
		Code flexString `json:"errorCode"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*e = PaymentError(w.plain)
	e.Code = string(w.Code)
	return nil
}

// PaymentRefund is one full refund of a payment.
type PaymentRefund struct {
	ID                int64             `json:"id,omitempty"`
	CreatedDate       DateTime          `json:"createdDate,omitzero"`
	Status            RefundStatus      `json:"refundStatus,omitempty"`
	Destination       RefundDestination `json:"refundDestinationType,omitempty"`
	Price             Amount            `json:"price"`
	RefundBankPrice   *Amount           `json:"refundBankPrice,omitempty"`
	RefundWalletPrice *Amount           `json:"refundWalletPrice,omitempty"`
	ConversationID    string            `json:"conversationId,omitempty"`
	PaymentType       PaymentType       `json:"paymentType,omitempty"`
	Error             *PaymentError     `json:"error,omitempty"`
}

// PaymentTransaction is one item of a payment with its payout.
type PaymentTransaction struct {
	ID                      int64             `json:"id,omitempty"`
	CreatedDate             DateTime          `json:"createdDate,omitzero"`
	ExternalID              string            `json:"externalId,omitempty"`
	Name                    string            `json:"name,omitempty"`
	Status                  TransactionStatus `json:"transactionStatus,omitempty"`
	StatusDate              DateTime          `json:"transactionStatusDate,omitzero"`
	Price                   Amount            `json:"price"`
	PaidPrice               Amount            `json:"paidPrice"`
	WalletPrice             *Amount           `json:"walletPrice,omitempty"`
	MerchantPayoutAmount    *Amount           `json:"merchantPayoutAmount,omitempty"`
	SubMerchantID           int64             `json:"subMerchantId,omitempty"`
	SubMerchantName         string            `json:"subMerchantName,omitempty"`
	SubMerchantPrice        *Amount           `json:"subMerchantPrice,omitempty"`
	SubMerchantPayoutRate   *Amount           `json:"subMerchantPayoutRate,omitempty"`
	SubMerchantPayoutAmount *Amount           `json:"subMerchantPayoutAmount,omitempty"`
	BlockageResolvedDate    DateTime          `json:"blockageResolvedDate,omitzero"`
}

func itoa(i int) string { return strconv.Itoa(i) }

func errMissing(what string) error { return errors.New("reply lacks " + what) }

// GetPayment reads a payment by its id in the detailed shape, its refunds
// (with their conversationId) included (GET
// /payment-reporting/v1/payments/{id}, the official clients'
// retrievePayment). It is a read and safe to retry.
func (c *Client) GetPayment(ctx context.Context, id int64) (_ *Payment, err error) {
	ctx, sp := c.http.Trace(ctx, "odero.GetPayment", "")
	defer sp.End(&err)
	if id <= 0 {
		return nil, httpx.Invalid(provider, "id", "required")
	}
	var out Payment
	meta, err := c.call(ctx, http.MethodGet, "/payment-reporting/v1/payments/"+strconv.FormatInt(id, 10), nil, nil, &out, httpx.RetrySafe)
	if err != nil {
		return nil, err
	}
	out.Meta = meta
	return &out, nil
}
