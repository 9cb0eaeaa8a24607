package accounts

import "github.com/parley-dev/parley/store"

// Permission is something a role may do.
type Permission string

// Permissions. Reading transcripts needs only a signed-in user.
const (
	Converse    Permission = "converse"     // start sessions, send, end
	Review      Permission = "review"       // QA verdicts and notes
	Export      Permission = "export"       // transcripts and lists as files
	ManageUsers Permission = "manage-users" // users and the audit trail
)

var grants = map[string][]Permission{
	store.RoleOperator: {Converse},
	store.RoleQA:       {Review, Export},
	store.RoleAdmin:    {Converse, Review, Export, ManageUsers},
}

// Roles lists the roles in the order a form offers them.
var Roles = []string{store.RoleOperator, store.RoleQA, store.RoleAdmin}

// Principal is the signed-in person.
type Principal struct {
	ID       int64
	Username string
	Role     string
}

// Can reports whether the person's role grants p.
func (p Principal) Can(perm Permission) bool {
	for _, g := range grants[p.Role] {
		if g == perm {
			return true
		}
	}
	return false
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.Username == "" }
