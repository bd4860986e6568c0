package fake

import "strconv"

// kindNames are the names the fakes' re-exports give each Kind.
var kindNames = map[Kind]string{
	Status:        "Status",
	DropBefore:    "DropBefore",
	DropAfter:     "DropAfter",
	Truncate:      "Truncate",
	Malformed:     "Malformed",
	Hang:          "Hang",
	ResetProtocol: "ResetProtocol",
	ResetInternal: "ResetInternal",
	GoAwayAfter:   "GoAwayAfter",
	RefusedStream: "RefusedStream",
	GoAwayBefore:  "GoAwayBefore",
}

// String is the constant's name ("DropAfter"), or "Kind(N)" for a value
// that is none of them.
func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}
