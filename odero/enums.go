package odero

// Currency is an ISO 4217 code as OderoPay spells it. Unknown codes are kept.
type Currency string

// Currencies OderoPay documents.
const (
	TRY Currency = "TRY"
	USD Currency = "USD"
	EUR Currency = "EUR"
	AZN Currency = "AZN"
)

// PaymentGroup says what is being paid for.
type PaymentGroup string

// Payment groups. SUBSCRIPTION requires a Plan.
const (
	PaymentGroupProduct               PaymentGroup = "PRODUCT"
	PaymentGroupListingOrSubscription PaymentGroup = "LISTING_OR_SUBSCRIPTION"
	PaymentGroupSubscription          PaymentGroup = "SUBSCRIPTION"
)

// PaymentStatus is the state of a payment. Anything other than SUCCESS or
// FAILURE is still pending (3-D Secure under way).
type PaymentStatus string

// Payment statuses.
const (
	PaymentStatusSuccess         PaymentStatus = "SUCCESS"
	PaymentStatusFailure         PaymentStatus = "FAILURE"
	PaymentStatusInitThreeDS     PaymentStatus = "INIT_THREEDS"
	PaymentStatusCallbackThreeDS PaymentStatus = "CALLBACK_THREEDS"
	PaymentStatusWaiting         PaymentStatus = "WAITING"
)

// PaymentType says how a payment was funded.
type PaymentType string

// Payment types.
const (
	PaymentTypeCard          PaymentType = "CARD_PAYMENT"
	PaymentTypeDeposit       PaymentType = "DEPOSIT_PAYMENT"
	PaymentTypeWallet        PaymentType = "WALLET_PAYMENT"
	PaymentTypeCardAndWallet PaymentType = "CARD_AND_WALLET_PAYMENT"
	PaymentTypeBankTransfer  PaymentType = "BANK_TRANSFER"
	PaymentTypeMultiCard     PaymentType = "MULTI_CARD_PAYMENT"
	PaymentTypeCredit        PaymentType = "CREDIT_PAYMENT"
)

// PaymentPhase is AUTH (capture at once), PRE_AUTH or POST_AUTH.
type PaymentPhase string

// Payment phases.
const (
	PaymentPhaseAuth     PaymentPhase = "AUTH"
	PaymentPhasePreAuth  PaymentPhase = "PRE_AUTH"
	PaymentPhasePostAuth PaymentPhase = "POST_AUTH"
)

// CardType is credit, debit or prepaid.
type CardType string

// Card types.
const (
	CardTypeCredit  CardType = "CREDIT_CARD"
	CardTypeDebit   CardType = "DEBIT_CARD"
	CardTypePrepaid CardType = "PREPAID_CARD"
)

// CardAssociation is the card scheme. Unknown schemes are kept.
type CardAssociation string

// Card associations.
const (
	CardAssociationVisa       CardAssociation = "VISA"
	CardAssociationMasterCard CardAssociation = "MASTER_CARD"
	CardAssociationAmex       CardAssociation = "AMEX"
	CardAssociationTroy       CardAssociation = "TROY"
)

// RefundStatus is the state of a refund.
type RefundStatus string

// Refund statuses.
const (
	RefundStatusSuccess RefundStatus = "SUCCESS"
	RefundStatusFailure RefundStatus = "FAILURE"
	RefundStatusWaiting RefundStatus = "WAITING"
)

// RefundDestination is where refunded money goes: back to the card or to the
// buyer's OderoPay wallet.
type RefundDestination string

// Refund destinations (CARD is the default).
const (
	RefundToCard   RefundDestination = "CARD"
	RefundToWallet RefundDestination = "WALLET"
)

// RefundType is the platform's choice for a refund: CANCEL (same day, before
// settlement) or REFUND.
type RefundType string

// Refund types.
const (
	RefundTypeCancel RefundType = "CANCEL"
	RefundTypeRefund RefundType = "REFUND"
)

// TransactionStatus is the payout state of one item of a payment.
type TransactionStatus string

// Transaction statuses.
const (
	TransactionWaitingForApproval TransactionStatus = "WAITING_FOR_APPROVAL"
	TransactionApproved           TransactionStatus = "APPROVED"
	TransactionPayoutStarted      TransactionStatus = "PAYOUT_STARTED"
)

// Installments OderoPay accepts.
var Installments = []int{1, 2, 3, 6, 9, 12}

// SubscriptionPeriods are the plan periods OderoPay accepts, in days.
var SubscriptionPeriods = []int{7, 30, 360}
