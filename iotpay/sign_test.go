package iotpay_test

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/paywidget/paywidget-go/iotpay"
)

func purchaseVector() iotpay.Params {
	return iotpay.Params{"mchId": "10000701", "mchOrderNo": "1234567890abc", "amount": int64(1500), "currency": "CAD",
		"loginName": "jack123", "subject": "ipad pro", "body": "", "channel": "PF_CC",
		"notifyUrl": "https://example.com/notify", "returnUrl": "https://example.com/return?a=1&b=2"}
}

// The vectors of the specification (§3.4).
func TestSignVectors(t *testing.T) {
	doc := iotpay.Params{"c": "cat", "a": "apple", "b": "boat", "d": ""}
	assert.Equal(t, "a=apple&b=boat&c=cat", iotpay.Canonical(doc))
	assert.Equal(t, "BA82A0A64C9983E7C079C589C2E17E53", iotpay.Sign(doc, "testkey"))

	const key = "0123456789ABCDEF0123456789ABCDEF"
	p := purchaseVector()
	assert.Equal(t, "amount=1500&channel=PF_CC&currency=CAD&loginName=jack123&mchId=10000701&mchOrderNo=1234567890abc&notifyUrl=https://example.com/notify&returnUrl=https://example.com/return?a=1&b=2&subject=ipad pro", iotpay.Canonical(p))
	assert.Equal(t, "6D10AA11DE9D40A7A395A4D965B830F5", iotpay.Sign(p, key))

	q := iotpay.Params{"mchId": "10000701", "payOrderId": "PC20240101231256043886634219"}
	assert.Equal(t, "E64091B56FF1FF143B5C976C07CB6D4C", iotpay.Sign(q, key))
}

func TestSignRules(t *testing.T) {
	// sign itself, empty strings and nil are not signed; zero is.
	p := iotpay.Params{"b": int64(0), "a": "x", "sign": "ABC", "c": nil, "d": ""}
	assert.Equal(t, "a=x&b=0", iotpay.Canonical(p))
	// Byte order: upper case sorts before lower case.
	assert.Equal(t, "refundAmount=1&refundable=2", iotpay.Canonical(iotpay.Params{"refundable": int64(2), "refundAmount": int64(1)}))
	// Raw values: nothing is URL-encoded or trimmed.
	assert.Equal(t, "u= a&b=%20 ", iotpay.Canonical(iotpay.Params{"u": " a&b=%20 "}))
}

func BenchmarkSignPurchase(b *testing.B) {
	p := purchaseVector()
	b.ReportAllocs()
	for b.Loop() {
		_ = iotpay.Sign(p, "0123456789ABCDEF0123456789ABCDEF")
	}
}

// The bare primitive over the same canonical string, for comparison.
func BenchmarkMD5Canonical(b *testing.B) {
	s := iotpay.Canonical(purchaseVector()) + "&key=0123456789ABCDEF0123456789ABCDEF"
	b.ReportAllocs()
	for b.Loop() {
		sum := md5.Sum([]byte(s))
		_ = strings.ToUpper(hex.EncodeToString(sum[:]))
	}
}
