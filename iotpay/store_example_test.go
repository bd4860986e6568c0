package iotpay_test

import (
	"context"
	"database/sql"
	"log"
	"net/http"

	"github.com/paywidget/paywidget-go/internal/claims"
	"github.com/paywidget/paywidget-go/iotpay"
)

// Several replicas behind a load balancer share one Store in the merchant's
// PostgreSQL, so that IOTPay's repeated notify is reported once whichever
// replica it reaches, and never acknowledged before Report took it. With
// claims.WithWorkInTx, Report's writes through claims.TxFrom commit with the
// "reported" mark.
func ExampleNotificationHandler_sqlStore() {
	var db *sql.DB // sql.Open("pgx", dsn) in your program
	var client *iotpay.Client
	store, err := iotpay.NewSQLStore(db, claims.WithWorkInTx())
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateTable(context.Background()); err != nil { // or run store.Schema() in a migration
		log.Fatal(err)
	}
	http.Handle("POST /iotpay/notify", &iotpay.NotificationHandler{
		Client: client,
		Store:  store,
		Expect: func(ctx context.Context, o *iotpay.Order) (iotpay.Expectation, error) {
			var cents int64 // your own record of the order
			err := db.QueryRowContext(ctx, `SELECT amount_cents FROM orders WHERE id = $1`, o.MchOrderNo).Scan(&cents)
			return iotpay.Expectation{MchOrderNo: o.MchOrderNo, Amount: iotpay.AmountFromMinor(cents)}, err
		},
		Report: func(ctx context.Context, o *iotpay.Order) error {
			tx, _ := claims.TxFrom(ctx)
			_, err := tx.ExecContext(ctx, `UPDATE orders SET paid = true WHERE id = $1 AND amount = $2`, o.MchOrderNo, o.Amount)
			return err
		},
	})
}
