package handlers

import "github.com/gin-gonic/gin"

// contentSecurityPolicy allows only the console's own script and styles;
// media in transcripts may come from any http(s) address, as attachments do.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' http: https: data:; media-src 'self' http: https:; connect-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"

// hstsPolicy tells browsers to use https only, for a year: set only when
// the console's public URL is https, so a plain-http setup is not locked out.
const hstsPolicy = "max-age=31536000"

// securityHeaders sets the headers every response carries.
func securityHeaders(https bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if https {
			h.Set("Strict-Transport-Security", hstsPolicy)
		}
		c.Next()
	}
}
