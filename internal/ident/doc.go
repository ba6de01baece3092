// Package ident validates, builds and masks the identifiers that credithub
// receives from registries, courts and front-ends: the unified social credit
// code (GB 32100-2015), the organisation code it embeds (GB 11714-1997), the
// legacy 15-digit registration number (GS 15-2006), and the resident ID
// number (GB 11643-1999). It also holds the administrative divisions of
// Heihe, Heilongjiang.
//
// Validators never modify their input: a front-end that wants to be lenient
// calls the matching Normalize function first, so that what is stored is
// exactly what was validated. Every validation failure is an *Error whose
// message is safe to show to a user and which matches ErrInvalid under
// errors.Is.
package ident
