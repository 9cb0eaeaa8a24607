package simulator

import "testing"

func TestWithoutSignatureKeepsHeaderAndClaims(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"aaa.bbb.ccc", "aaa.bbb." + RedactedSignature},
		{"aaa.bbb.", "aaa.bbb." + RedactedSignature},
		{"aaa.bbb.ccc.ddd", "aaa.bbb." + RedactedSignature},
		{"aaa.bbb", RedactedSignature},
		{"opaque", RedactedSignature},
		{"", ""},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := (DeliveryAttempt{Token: tt.in}).WithoutSignature().Token; got != tt.want {
				t.Errorf("WithoutSignature(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
