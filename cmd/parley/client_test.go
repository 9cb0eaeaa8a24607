package main

import (
	"testing"

	"github.com/parley-dev/parley/internal/testkit"
)

// testAdminPassword is the first admin's password in tests.
const testAdminPassword = "correct horse battery"

// signIn signs in to the server through the sign-in form as a browser would.
func (s *server) signIn(t *testing.T, username, password string) *testkit.Client {
	t.Helper()
	return testkit.SignIn(t, s.URL, username, password)
}

func (s *server) admin(t *testing.T) *testkit.Client { return s.signIn(t, "admin", testAdminPassword) }
