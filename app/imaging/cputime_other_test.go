//go:build !unix

package imaging

import "time"

func cpuTime() time.Duration { return 0 }
