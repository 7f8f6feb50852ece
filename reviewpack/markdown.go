package reviewpack

import (
	"bufio"
	"io"
	"strings"
)

// renderMarkdown writes the report as GitHub-flavoured Markdown.
func renderMarkdown(r *Report, w io.Writer) error {
	b := bufio.NewWriter(w)
	p := func(s ...string) {
		for _, x := range s {
			b.WriteString(x)
		}
		b.WriteByte('\n')
	}
	mdNone := func(key string) string {
		return emptyText(r, key, func(text string, refs []uint64) string { return mdText(withRefs(text, refs)) })
	}
	table := func(head []string, rows [][]string, none ...string) {
		if len(rows) == 0 {
			p(append(none, "None recorded.")[0])
			p()
			return
		}
		p("| ", strings.Join(mdCells(head), " | "), " |")
		seps := make([]string, len(head))
		for i := range seps {
			seps[i] = "---"
		}
		p("|", strings.Join(seps, "|"), "|")
		for _, row := range rows {
			p("| ", strings.Join(mdCells(row), " | "), " |")
		}
		p()
	}

	p("# ", mdText(r.Cover.Title))
	p()
	rows := make([][]string, 0, 16)
	for _, kv := range coverRows(r) {
		rows = append(rows, []string{"**" + kv[0] + "**", kv[1]})
	}
	p("| | |")
	p("|---|---|")
	for _, row := range rows {
		p("| ", row[0], " | ", mdCell(row[1]), " |")
	}
	p()
	if r.Cover.Disclaimers != "" {
		p("> ", mdText(r.Cover.Disclaimers))
		p()
	}

	p("## ", hSummary)
	p()
	for _, para := range r.Summary {
		p(mdText(para))
		p()
	}
	if r.Recommendation != "" {
		p("**Recommendation.** ", mdText(r.Recommendation))
		p()
	}
	p("_", refsExplained, "_")
	p()

	p("## ", optionsHeading(r))
	p()
	for _, o := range r.Options {
		p("### ", mdText(o.Heading))
		p()
		for _, f := range o.Facts {
			p("- ", mdText(withRefs(withCertainty(f.Text, f.Certainty), f.Refs)))
		}
		if len(o.Facts) == 0 {
			p("- No recorded facts bear on this option.")
		}
		p()
	}

	p("## ", hChronology)
	p()
	rows = rows[:0]
	for _, c := range r.Chronology {
		what := c.What
		if c.Corrected {
			what += " (corrected)"
		}
		refs := append(append([]string{}, c.Minutes...), c.Sources...)
		rows = append(rows, []string{refsText([]uint64{c.Seq}), c.Date, what, c.Certainty, strings.Join(refs, "<br>")})
	}
	table([]string{"[n]", "Date", "What happened", "Certainty", "Minutes and sources"}, rows)
	if len(r.Corrections) > 0 {
		p("### ", hCorrections)
		p()
		p(mdText(correctionsExplained))
		p()
		rows = rows[:0]
		for _, ch := range r.Corrections {
			rows = append(rows, correctionCells(ch))
		}
		table(correctionHead, rows)
	}

	p("## ", hPeople)
	p()
	p("### Shared posts")
	p()
	rows = rows[:0]
	for _, a := range r.Appointments {
		rows = append(rows, []string{a.Officer, a.Post, a.Employer, a.Councils, a.Basis, a.Since,
			strings.Join(a.Approvals, "<br>"), cite(a.Certainty, a.Refs)})
	}
	table([]string{"Officer", "Post", "Employed by", "Serves", "Basis", "Since", "Approved by", hEvents}, rows, mdNone(EmptyAppointments))
	p("### Statutory roles")
	p()
	rows = rows[:0]
	for _, s := range r.Roles {
		rows = append(rows, []string{s.Council, s.Role, s.Officer, s.Since, cite(s.Certainty, s.Refs)})
	}
	table([]string{"Council", "Role", "Held by", "Since", hEvents}, rows, mdNone(EmptyRoles))
	p("### Partner councils")
	p()
	rows = rows[:0]
	for _, pr := range r.Partners {
		rows = append(rows, []string{pr.Council, pr.Kind, pr.Since, pr.Notice, pr.Ended, cite(pr.Certainty, pr.Refs)})
	}
	table([]string{"Council", "Kind", "Partner since", "Notice of withdrawal", "Until", hEvents}, rows, mdNone(EmptyPartners))

	p("## ", hServices)
	p()
	rows = rows[:0]
	for _, s := range r.Services {
		rows = append(rows, []string{s.Service, s.Status, s.Detail, s.Since, s.CostShare, cite(s.Certainty, s.Refs)})
	}
	table([]string{"Service", "Status", "Arrangement", "Since", "Cost share", hEvents}, rows, mdNone(EmptyServices))

	p("## ", hFinance)
	p()
	p("### Savings by financial year")
	p()
	rows = rows[:0]
	for _, f := range financeRows(&r.Finance) {
		rows = append(rows, financeCells(f))
	}
	table([]string{"Year", "Council", "Target", "Forecast", "Outturn", "One-off costs", "Net (forecast or outturn)", "Against target", hEvents}, rows)
	for _, n := range r.Finance.Notes {
		p(mdText(n))
		p()
	}
	p("### Cost shares")
	p()
	rows = rows[:0]
	for _, c := range r.Finance.CostShares {
		rows = append(rows, []string{c.Subject, c.Basis, c.Shares, c.AppliesFrom, cite(c.Certainty, c.Refs)})
	}
	table([]string{"Post or service", "Basis", "Shares", "From", hEvents}, rows, mdNone(EmptyCostShares))
	if len(r.Finance.Funding) > 0 {
		p("### External funding")
		p()
		rows = rows[:0]
		for _, f := range r.Finance.Funding {
			rows = append(rows, []string{f.Funder, f.Recipients, f.Amount, f.Purpose, cite(f.Certainty, f.Refs)})
		}
		table([]string{"Funder", "Recipients", "Amount", "Purpose", hEvents}, rows)
	}

	p("## ", hFlags)
	p()
	if len(r.Flags) == 0 {
		p("Nothing to note.")
		p()
	}
	for _, f := range r.Flags {
		p("- **", flagTitle(f.Kind), ".** ", mdText(withRefs(f.Text, f.Refs)))
	}
	if len(r.Flags) > 0 {
		p()
	}

	for _, sec := range findingSections(r) {
		p("## ", sec.Heading)
		p()
		if len(sec.Items) == 0 {
			p(sec.None)
			p()
			continue
		}
		for _, f := range sec.Items {
			p("- ", mdText(f.Text), " _", whyItMatters, "_ ", mdText(findingTail(f)))
		}
		p()
		if sec.Note != "" {
			p(mdText(sec.Note))
			p()
		}
	}

	if ch := r.Changes; ch != nil {
		p("## ", hChanges)
		p()
		p(mdText(ch.Intro))
		p()
		if len(ch.Events) > 0 {
			rows = rows[:0]
			for _, e := range ch.Events {
				rows = append(rows, []string{refsText([]uint64{e.Seq}), e.Recorded, e.Effective, e.What})
			}
			table(changeHeads, rows)
		}
		p("### ", hChangedWhat)
		p()
		for _, f := range ch.Effects {
			p("- ", mdText(withRefs(f.Text, f.Refs)))
		}
		p()
	}

	p("## ", hRegister)
	p()
	p(registerExplained)
	p()
	rows = rows[:0]
	for _, e := range r.Register {
		rows = append(rows, []string{refsText([]uint64{e.Seq}), e.EffectiveOn, e.Type, e.Certainty, e.RecordedAt, "`" + e.ID + "`", "`" + e.Hash + "`"})
	}
	table([]string{"[n]", "Effective", "Type", "Certainty", "Recorded (UTC)", "Event id", "SHA-256 hash"}, rows)

	p("## ", hTreeHead)
	p()
	th := r.TreeHead
	p("| | |")
	p("|---|---|")
	p("| **Tree size** | ", itoa(th.Size), " |")
	p("| **Root hash** | `", th.Root, "` |")
	p("| **", treeHeadTimeLabel, "** | ", mdText(treeHeadTime(th)), " |")
	p("| **Key id** | `", th.KeyID, "` |")
	p("| **Signature** | `", th.Signature, "` |")
	p()
	if cp := r.Checkpoint; cp != nil {
		p("### ", hCheckpoint)
		p()
		p(mdText(cp.Sentence))
		p()
		p("```")
		p(strings.TrimSuffix(cp.Note, "\n"))
		p("```")
		p()
	}

	p("## ", hVerify)
	p()
	for i, para := range r.HowToVerify {
		var b strings.Builder
		lead, rest := leadPhrase(strings.Join(strings.Fields(para), " "))
		if lead != "" {
			b.WriteString("**" + mdEscaper.Replace(lead) + "** ")
		}
		for _, piece := range splitCommands(rest) {
			if piece.command {
				b.WriteString("`" + piece.text + "`")
			} else {
				b.WriteString(mdEscaper.Replace(piece.text))
			}
		}
		p(itoa(uint64(i+1)), ". ", b.String())
	}
	p()
	if len(r.Glossary) > 0 {
		p("## ", hGlossary)
		p()
		for _, g := range r.Glossary {
			p("- **", mdText(g.Term), "**: ", mdText(g.Meaning))
		}
		p()
	}
	return b.Flush()
}

// financeRows interleaves each year's council rows with the year's total.
func financeRows(f *Finance) []FinanceRow {
	out := make([]FinanceRow, 0, len(f.Rows)+len(f.Totals))
	ti := 0
	for i, row := range f.Rows {
		out = append(out, row)
		last := i == len(f.Rows)-1 || f.Rows[i+1].Year != row.Year
		if last {
			for ti < len(f.Totals) && f.Totals[ti].Year == row.Year {
				out = append(out, f.Totals[ti])
				ti++
			}
		}
	}
	return out
}

func financeCells(f FinanceRow) []string {
	against := f.AgainstTarget
	if f.BelowTarget {
		against += " (below target)"
	}
	return []string{f.Year, f.Council, f.Target, f.Forecast, f.Outturn, f.OneOff, f.Net, against, cite(f.Certainty, f.Refs)}
}

// mdText escapes the characters that would start Markdown markup inside running text.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "<", "&lt;", ">", "&gt;")

func mdText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	// Square brackets are left alone: citations like "[12, 15]" stay readable, and without a
	// following "(" they start no link.
	return mdEscaper.Replace(s)
}

func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }

func mdCells(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if strings.Contains(c, "<br>") {
			parts := strings.Split(c, "<br>")
			for j := range parts {
				parts[j] = mdCell(parts[j])
			}
			out[i] = strings.Join(parts, "<br>")
			continue
		}
		if strings.HasPrefix(c, "`") || strings.HasPrefix(c, "**") {
			out[i] = strings.ReplaceAll(c, "|", `\|`)
			continue
		}
		out[i] = mdCell(c)
	}
	return out
}

func itoa(n uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}
