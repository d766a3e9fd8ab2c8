package app

import (
	"errors"
	"fmt"
	"strings"

	"werkstatt/app/apperr"
	"werkstatt/app/i18n"
)

// describe turns a service error into a plain English sentence for the CLI.
func describe(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return err
	}
	msgs := []string{i18n.T("en", ae.Key, ae.Args...)}
	for _, f := range ae.Fields {
		msgs = append(msgs, fmt.Sprintf("--%s: %s", strings.ReplaceAll(f.Field, "_", "-"), i18n.T("en", f.Key, f.Args...)))
	}
	return errors.New(strings.Join(msgs, "; "))
}
