// Package auth answers who someone is and what they may do: password hashing
// (argon2id), random tokens and their hashes, roles, and policy.go, the one
// place that decides whether a person may do something to a thing. It is a
// leaf: it imports nothing of ours, so models and services describe the
// person and the thing to it with the small types below.
package auth
