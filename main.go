// Command werkstatt serves the city's Digitale Werkstätten: workshops, ideas,
// votes, prototypes and their annotations, reports and open data.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Europe/Berlin dates, even in a container without zoneinfo

	"werkstatt/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
