package dedup

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/internal/claims"
)

func TestFallbackIsOnePerHandler(t *testing.T) {
	var fb Fallback
	s := fb.Or(nil)
	require.NotNil(t, s)
	assert.Same(t, s, fb.Or(nil))
	custom := claims.NewMemory(1, 0)
	assert.Same(t, custom, fb.Or(custom))
}

func TestReportWaitSetting(t *testing.T) {
	ctx := context.Background()
	s := claims.NewMemory(0, 0)
	held, _ := s.Claim(ctx, "k", 90*time.Second)
	never := func(context.Context) error { t.Fatal("reported while held"); return nil }
	err := Report(ctx, s, "k", 0, -1, never)
	require.ErrorIs(t, err, claims.ErrBusy, "negative Wait: answered at once")
	assert.Equal(t, "60", RetryAfter(err), "Retry-After is capped at a minute")
	go func() {
		time.Sleep(20 * time.Millisecond)
		_ = s.Complete(ctx, "k", held.Token)
	}()
	require.NoError(t, Report(ctx, s, "k", 0, 0, never), "zero Wait waits (DefaultWait) and sees the holder finish")
	assert.Equal(t, "1", RetryAfter(errors.New("other")))
}
