package iotpay

import (
	"errors"
	"testing"

	"github.com/paywidget/paywidget-go/internal/httpx"
)

// decodeReply decodes retData in the same pass as the envelope; these are
// the cases that pass must still tell apart.
func TestDecodeReplyOnePass(t *testing.T) {
	for name, c := range map[string]struct {
		body    string
		api     bool // *APIError
		decode  bool // *httpx.DecodeError
		orderID string
	}{
		"success":                  {body: `{"retCode":"SUCCESS","retMsg":"","retData":{"payOrderId":"PC1","amount":1500,"status":2}}`, orderID: "PC1"},
		"retData first":            {body: `{"retData":{"payOrderId":"PC2"},"retCode":"SUCCESS"}`, orderID: "PC2"},
		"fail":                     {body: `{"retCode":"FAIL","retMsg":"cardId is not binding"}`, api: true},
		"fail with odd retData":    {body: `{"retCode":"FAIL","retMsg":"x","retData":"not an object"}`, api: true},
		"fail with mistyped field": {body: `{"retCode":"FAIL","retMsg":"x","retData":{"amount":"a lot"}}`, api: true},
		"success mistyped":         {body: `{"retCode":"SUCCESS","retData":{"amount":{}}}`, decode: true},
		"success retData string":   {body: `{"retCode":"SUCCESS","retData":"x"}`, decode: true},
		"success without retData":  {body: `{"retCode":"SUCCESS"}`, decode: true},
		"success retData null":     {body: `{"retCode":"SUCCESS","retData":null}`, decode: true},
		"retData key in a value":   {body: `{"retCode":"SUCCESS","retMsg":"\"retData\":{}"}`, decode: true},
		"success retData empty":    {body: `{"retCode":"SUCCESS","retData":{}}`},
		"no retCode":               {body: `{"retData":{"payOrderId":"PC1"}}`, decode: true},
		"not json":                 {body: `<html>`, decode: true},
		"truncated":                {body: `{"retCode":"SUCCESS","retData":{"payOrderId":"PC1"`, decode: true},
	} {
		t.Run(name, func(t *testing.T) {
			var o Order
			err := decodeReply(&httpx.Response{StatusCode: 200, Body: []byte(c.body)}, &o)
			var api *APIError
			var de *httpx.DecodeError
			switch {
			case c.api:
				if !errors.As(err, &api) {
					t.Fatalf("want *APIError, got %v", err)
				}
			case c.decode:
				if !errors.As(err, &de) || !errors.Is(err, httpx.ErrMalformedResponse) {
					t.Fatalf("want *httpx.DecodeError, got %v", err)
				}
			default:
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				if o.PayOrderID != c.orderID {
					t.Fatalf("payOrderId %q, want %q", o.PayOrderID, c.orderID)
				}
			}
			// The same reply when the caller wants no retData.
			err = decodeReply(&httpx.Response{StatusCode: 200, Body: []byte(c.body)}, nil)
			if c.api != errors.As(err, &api) {
				t.Fatalf("without out: %v", err)
			}
		})
	}
}
