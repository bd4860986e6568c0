package chaos_test

import (
	"fmt"
	"os"
)

func debugf(format string, args ...any) {
	if os.Getenv("CHAOS_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}
