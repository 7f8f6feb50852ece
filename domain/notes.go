package domain

// NotesOf returns the free-text notes an event's data carries ("" for none): the notes of a proposal,
// a grant, a business case or a proposed sharing, and of a retraction. Views show them beside the
// event, since they often say what the record is unsure of ("the year is inferred").
func NotesOf(p Payload) string {
	switch v := p.(type) {
	case PartnershipProposed:
		return v.Notes
	case ExternalFundingAwarded:
		return v.Notes
	case BusinessCasePublished:
		return v.Notes
	case ServiceSharingProposed:
		return v.Notes
	case EventRetracted:
		return v.Notes
	}
	return ""
}
