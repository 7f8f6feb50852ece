package projections

import (
	"strings"
)

// acronyms are the words Words writes in capitals.
var acronyms = map[string]string{"hr": "HR", "ict": "ICT", "it": "IT", "lga": "LGA", "s151": "s151", "s113": "s113", "sla": "SLA", "uk": "UK"}

// Words turns an identifier as recorded ("head-of-hr", "chief_finance_officer") into words for people:
// "head of HR", "chief finance officer". Acronyms stay in capitals; other words are left as they are.
func Words(id string) string {
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		if a, ok := acronyms[strings.ToLower(w)]; ok {
			words[i] = a
		}
	}
	return strings.Join(words, " ")
}

// roleWords are the statutory roles in words, with the section that makes a chief finance officer.
var roleWords = map[string]string{
	"head_of_paid_service":  "head of paid service",
	"chief_finance_officer": "chief finance officer (s151)",
	"monitoring_officer":    "monitoring officer",
}

// RoleWords is a statutory role in words: "chief_finance_officer" → "chief finance officer (s151)".
func RoleWords(role string) string {
	if w, ok := roleWords[role]; ok {
		return w
	}
	return Words(role)
}

// PostWords is a post and the statutory role that comes with it, saying each once: "chief executive
// (head of paid service)", "chief finance officer (s151)".
func PostWords(post, role string) string {
	p := Words(post)
	if role == "" {
		return p
	}
	r := RoleWords(role)
	if strings.HasPrefix(r, p) {
		return r
	}
	return p + " (" + r + ")"
}
