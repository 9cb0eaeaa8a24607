package main

import (
	"os"
	"testing"

	"github.com/gin-gonic/gin"
)

// envRunAsParley makes the test binary run as parley itself, so that a
// test can start a server in a process of its own and kill it as a crash
// would.
const envRunAsParley = "PARLEY_TEST_RUN_AS_PARLEY"

func TestMain(m *testing.M) {
	if os.Getenv(envRunAsParley) == "1" {
		main()
		os.Exit(0)
	}
	gin.SetMode(gin.ReleaseMode)
	os.Exit(m.Run())
}
