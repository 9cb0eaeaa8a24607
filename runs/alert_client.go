package runs

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/parley-dev/parley/input"
)

// alertTimeout bounds one attempt to POST an alert.
const alertTimeout = 10 * time.Second

// checkAlertURL refuses a webhook URL that is not an absolute http or https
// URL of sensible length, or that names a private address while those are
// not allowed. Names are checked again when an alert is sent, against the
// addresses they resolve to then.
func (svc *Service) checkAlertURL(raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	if len(raw) > MaxAlertURL {
		return input.Invalid("alert_url", fmt.Sprintf("The webhook URL is %d characters long; at most %d are allowed.", len(raw), MaxAlertURL))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return input.Invalid("alert_url", "The webhook URL must be an absolute http or https URL, such as https://hooks.slack.com/services/….")
	}
	if u.User != nil {
		return input.Invalid("alert_url", "The webhook URL must not carry a user name or password.")
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !svc.alertPrivate && privateAddr(ip) {
		return input.Invalid("alert_url", fmt.Sprintf("The webhook URL names the private or local address %s; alerts go only to public addresses unless PARLEY_ALERT_ALLOW_PRIVATE is set.", ip))
	}
	if !svc.alertPrivate && strings.EqualFold(strings.TrimSuffix(u.Hostname(), "."), "localhost") {
		return input.Invalid("alert_url", "The webhook URL names localhost; alerts go only to public addresses unless PARLEY_ALERT_ALLOW_PRIVATE is set.")
	}
	return nil
}

// privateAddr reports an address an alert must not reach by default: the
// machine itself, its private networks, link-local ones (cloud metadata at
// 169.254.169.254) and the shared and unspecified ranges.
func privateAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsUnspecified() || ip.IsMulticast() || ip.IsInterfaceLocalMulticast() || cgnat.Contains(ip)
}

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// newAlertClient is the HTTP client alerts are sent with. Unless private
// addresses are allowed, it refuses to connect to one whatever name led
// there, checked on the address actually dialled so DNS cannot swap it in
// after the check. It uses no proxy (a proxy would hide the address) and
// follows no redirect.
func newAlertClient(allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: alertTimeout}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("alert webhook address %q: %w", address, err)
			}
			if privateAddr(ap.Addr()) {
				return fmt.Errorf("the alert webhook resolves to the private or local address %s, refused (PARLEY_ALERT_ALLOW_PRIVATE allows it)", ap.Addr())
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: alertTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   alertTimeout,
			ResponseHeaderTimeout: alertTimeout,
			MaxIdleConns:          4,
			IdleConnTimeout:       30 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
