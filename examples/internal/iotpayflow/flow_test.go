package iotpayflow_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/paywidget/paywidget-go/examples/internal/iotpayflow"
	"github.com/paywidget/paywidget-go/examples/internal/steps"
	"github.com/paywidget/paywidget-go/iotpay/iotpaytest"
)

func TestFlowAgainstFake(t *testing.T) {
	var out bytes.Buffer
	rec := steps.NewRecorder(&out, "iotpay", steps.JSONLines)
	require.NoError(t, iotpayflow.Run(context.Background(), steps.Target{}, rec))
	var names []string
	for _, r := range rec.Results() {
		assert.True(t, r.OK, r.Step)
		names = append(names, r.Step)
	}
	assert.Equal(t, []string{"purchase", "shopper pays on card page", "notify verified", "query order", "refund part"}, names)
	assert.Contains(t, out.String(), `"outcome":"paid"`)
	assert.NotContains(t, out.String(), iotpaytest.Key)
}

func TestFlowAgainstBaseURL(t *testing.T) {
	gw := iotpaytest.NewServer(t)
	env := map[string]string{"IOTPAY_MCH_ID": iotpaytest.MerchantID, "IOTPAY_KEY": iotpaytest.Key, "IOTPAY_LOGIN_NAME": iotpaytest.LoginName}
	rec := steps.NewRecorder(nil, "iotpay", steps.JSONLines)
	require.NoError(t, iotpayflow.Run(context.Background(), steps.Target{BaseURL: gw.URL, Getenv: func(k string) string { return env[k] }}, rec))
	res := rec.Results()
	require.Len(t, res, 3)
	assert.Contains(t, res[1].Action, "/cc/purchase?key=")
	assert.Equal(t, 1, gw.Orders())
	err := iotpayflow.Run(context.Background(), steps.Target{BaseURL: gw.URL, Getenv: func(string) string { return "" }}, steps.NewRecorder(nil, "iotpay", steps.JSONLines))
	require.ErrorContains(t, err, "IOTPAY_MCH_ID")
}
