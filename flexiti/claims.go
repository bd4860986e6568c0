package flexiti

import "github.com/paywidget/paywidget-go/claims"

// ClaimStore serialises Flow.AuthorizeOnce per reference: package claims'
// Store (new, in progress under a lease, done), the same store that makes
// the providers' notifications exactly-once, so one store — for several
// replicas claims.NewSQL on the merchant's database — serves both.
type ClaimStore = claims.Store
