// Package e2e drives the whole running Werkstatt in headless Chromium: the
// main path of a participant (join by code, post an idea, vote), an
// accessibility audit of every page with axe-core (WCAG 2.1 AA, zero
// violations), and keyboard-only use of the join form.
//
// The tests live in the _test.go files. They need Chromium (the Debian
// package chromium at /usr/bin/chromium, or CHROMIUM_PATH) and skip without
// it, or fail under WERKSTATT_TEST_ALL=1. Screenshots of every page go to
// a temporary folder, or to WERKSTATT_SCREENSHOTS when it names a folder.
package e2e
