package iotpaytest

import "time"

// DefaultNotifyInterval is the fake's stand-in for IOTPay's minute between
// notify retries: the n-th retry comes n intervals after the attempt before
// it (IOTPay: 1, 2, 3, 4 minutes; the fake: 20, 40, 60, 80 ms).
const DefaultNotifyInterval = 20 * time.Millisecond

// SetNotifyInterval sets the interval of the notify retry schedule for
// notifications sent from now on (zero restores DefaultNotifyInterval): a
// test whose handler holds a notification longer, such as one whose replica
// dies mid-report and leaves a lease to run out, stretches it so that
// IOTPay's last retries come after the lease.
func (s *Server) SetNotifyInterval(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interval = d
}

// notifyInterval is the current interval; the caller holds s.mu.
func (s *Server) notifyInterval() time.Duration {
	if s.interval <= 0 {
		return DefaultNotifyInterval
	}
	return s.interval
}
