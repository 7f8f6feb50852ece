package domain

import "strconv"

// The value types describe their own JSON Schema (draft 2020-12), as the JSON they read and write:
// api/openapigen puts these in the OpenAPI document (components.schemas.<type name>) and docs/events.md.
// Each bound is the one the type's parser or Decide applies to a new command (limits.go), so the schema
// refuses what Decide refuses; the tests of api/openapigen hold them equal (TestEventSchemaLimits).

// JSONSchema describes a Date: a string YYYY-MM-DD. The pattern admits the years of MinCommandDate to
// MaxCommandDate (1900–2199); format date rules out days that do not exist.
func (Date) JSONSchema() map[string]any {
	return map[string]any{
		"type": "string", "format": "date", "pattern": `^(19[0-9]{2}|2[01][0-9]{2})-[0-9]{2}-[0-9]{2}$`,
		"description": "A civil date, YYYY-MM-DD, from " + MinCommandDate.String() + " to " + MaxCommandDate.String() + ".",
		"examples":    []any{"2015-11-07"},
	}
}

// JSONSchema describes Pence: a JSON integer of whole pence, at most ±MaxAmountPence in a command.
// Whether a negative amount is allowed is the field's rule (docs/events.md).
func (Pence) JSONSchema() map[string]any {
	return map[string]any{
		"type": "integer", "minimum": -int64(MaxAmountPence), "maximum": int64(MaxAmountPence),
		"description": "An amount of money in whole pence (an integer: 4200000 is £42,000), at most ±" +
			strconv.FormatInt(int64(MaxAmountPence), 10) + " (±£100bn). Write it as digits, without an exponent or a decimal point: 42e5 and 4200000.0 are refused (400) although they are whole.",
	}
}

// JSONSchema describes BasisPoints: an integer from 0 to 10000 (10000 is 100%).
func (BasisPoints) JSONSchema() map[string]any {
	return map[string]any{"type": "integer", "minimum": 0, "maximum": 10000,
		"description": "A share in basis points, hundredths of a percent: 10000 is 100%."}
}

// JSONSchema describes a FinancialYear: its start year as an integer, 1900–2999.
func (FinancialYear) JSONSchema() map[string]any {
	return map[string]any{"type": "integer", "minimum": 1900, "maximum": 2999,
		"description": "An English local-government financial year, named by the year it starts: 2015 is 2015/16 (1 April 2015 to 31 March 2016)."}
}

// JSONSchema describes a CouncilRef: a slug (see ParseCouncilRef).
func (CouncilRef) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "minLength": 2, "maxLength": 64, "pattern": `^[a-z0-9]+(-[a-z0-9]+)*$`,
		"description": "A council's slug: lowercase letters, digits and single hyphens, 2 to 64 characters.",
		"examples":    []any{"great-yarmouth"}}
}

// JSONSchema describes a PartnershipSlug (see ParsePartnershipSlug).
func (PartnershipSlug) JSONSchema() map[string]any {
	return map[string]any{"type": "string", "pattern": `^[a-z0-9-]{3,64}$`,
		"description": "A partnership's slug: 3 to 64 lowercase letters, digits and hyphens.",
		"examples":    []any{"great-yarmouth-north-norfolk"}}
}

// JSONSchema describes a CouncilKind: one of its constants.
func (CouncilKind) JSONSchema() map[string]any {
	return enumSchema("The kind of a principal council.", District, Borough, Unitary, County)
}

// JSONSchema describes a Certainty: one of its constants.
func (Certainty) JSONSchema() map[string]any {
	return enumSchema("How sure the ledger is of a fact: confirmed by a primary source, reported by a secondary source, or inferred from other facts.",
		Confirmed, Reported, Inferred)
}

// JSONSchema describes a SourceKind: one of its constants.
func (SourceKind) JSONSchema() map[string]any {
	return enumSchema("The kind of document a fact comes from.",
		SourceMinutes, SourceReport, SourceAgreement, SourceLetter, SourcePress, SourceWeb)
}

// JSONSchema describes a StatutoryRole: one of its constants, or s151 (read as chief_finance_officer).
func (StatutoryRole) JSONSchema() map[string]any {
	return enumSchema("A statutory role every principal council must fill; s151 is read as chief_finance_officer.",
		HeadOfPaidService, MonitoringOfficer, ChiefFinanceOfficer, "s151")
}

func enumSchema[T ~string](description string, values ...T) map[string]any {
	enum := make([]any, len(values))
	for i, v := range values {
		enum[i] = string(v)
	}
	return map[string]any{"type": "string", "enum": enum, "description": description}
}
