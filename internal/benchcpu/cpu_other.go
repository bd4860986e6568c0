//go:build !unix

package benchcpu

import "time"

func cpu() (time.Duration, bool) { return 0, false }
