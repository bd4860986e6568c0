package once

import "fmt"

// SettleState is what a provider knows of a reference, as Settle reports it.
type SettleState int

// The states Settle reports.
const (
	// SettleNotFound: the provider has no record of the reference. Nothing
	// was received: sending it is safe (a repeatable call does so).
	SettleNotFound SettleState = iota + 1
	// SettlePending: the provider has the request and no final verdict yet
	// (a shopper still on the payment page, an order being processed): ask
	// again later, and never send it again.
	SettlePending
	// SettleDone: the provider has a final record: paid, refunded, declined
	// or failed, as the record says.
	SettleDone
	// SettleUnknowable: the provider offers no look-up (KTPay): the verdict
	// arrives only with its notification.
	SettleUnknowable
)

// String names the state: "not found", "pending", "done", "unknowable".
func (s SettleState) String() string {
	switch s {
	case SettleNotFound:
		return "not found"
	case SettlePending:
		return "pending"
	case SettleDone:
		return "done"
	case SettleUnknowable:
		return "unknowable"
	}
	return fmt.Sprintf("SettleState(%d)", int(s))
}

// Settlement is a Settle's answer: State, and the provider's Record of the
// reference when State is SettlePending or SettleDone (the zero value
// otherwise).
type Settlement[T any] struct {
	State  SettleState
	Record T
}
