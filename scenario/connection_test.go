package scenario

import (
	"strings"
	"testing"
)

func TestScenarioNamesItsConnection(t *testing.T) {
	sc, err := Parse([]byte("name: On EU\nconnection: eu-prod\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - say: hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Connection != "eu-prod" {
		t.Fatalf("connection %q", sc.Connection)
	}
	_, err = Parse([]byte("name: x\nconnection: " + strings.Repeat("c", MaxConnectionLen+1) + "\nworkTypeId: \"32\"\ncontactName: Ada\nsteps:\n  - say: hi\n"))
	if err == nil || !strings.Contains(err.Error(), "connection") {
		t.Fatalf("a connection name too long: %v", err)
	}
	script := Record(Recording{Name: "Replay", Connection: "eu-prod", WorkTypeID: "32", ContactName: "Ada", Turns: []Turn{{Kind: CustomerSaid, Text: "hi"}}})
	again, err := Parse(script)
	if err != nil || again.Connection != "eu-prod" {
		t.Fatalf("recorded script:\n%s\nparsed %+v, %v", script, again, err)
	}
}
