package iotpay_test

import (
	"context"
	"database/sql"
	"net/http"

	"github.com/paywidget/paywidget-go/iotpay"
)

// sqlStore remembers reported notifications in a table every replica shares:
//
//	CREATE TABLE iotpay_notified (k VARCHAR(80) PRIMARY KEY)
type sqlStore struct{ db *sql.DB }

// Claim inserts the key; a conflict means another replica reported it.
func (s sqlStore) Claim(ctx context.Context, key string) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO iotpay_notified (k) VALUES ($1) ON CONFLICT DO NOTHING`, key)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Release forgets the key so that IOTPay's next delivery is reported again.
func (s sqlStore) Release(ctx context.Context, key string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM iotpay_notified WHERE k = $1`, key)
	return err
}

// Several replicas behind a load balancer share one Store, so that IOTPay's
// repeated notify is reported once whichever replica it reaches.
func ExampleNotifyHandler_sqlStore() {
	var db *sql.DB // sql.Open("pgx", dsn) in your program
	var client *iotpay.Client
	http.Handle("POST /iotpay/notify", &iotpay.NotifyHandler{
		Client: client,
		Store:  sqlStore{db: db},
		Report: func(ctx context.Context, o *iotpay.Order) error {
			return nil // mark the order paid when o.Status.Paid() and o.Amount matches
		},
	})
}
