package oderotest

import "github.com/paywidget/paywidget-go/internal/fake"

// Fault is one scripted misbehaviour of the fake gateway, queued with
// Server.Fail(method, path, faults...) (path "*" matches every path).
type Fault = fake.Fault

// Where a fault strikes.
const (
	// Status answers Fault.Status (and Body) without processing the request.
	Status = fake.Status
	// DropBefore closes the connection without processing the request.
	DropBefore = fake.DropBefore
	// DropAfter processes the request, then closes the connection unanswered.
	DropAfter = fake.DropAfter
	// Truncate processes the request and sends half of the reply.
	Truncate = fake.Truncate
	// Malformed processes the request and answers 200 with Fault.Body or
	// broken JSON.
	Malformed = fake.Malformed
	// Hang processes the request and holds the reply for Fault.Delay.
	Hang = fake.Hang
)
