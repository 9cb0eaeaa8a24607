package handlers

// OpenAPIDocument is the served document, for the tests that check it.
func OpenAPIDocument() []byte { return openAPIDocument }
