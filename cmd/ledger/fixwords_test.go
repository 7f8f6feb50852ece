package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An end is told with both days, from words.LastDay and words.EndedFrom (issue 21 review): the last
// day served ("until 30 September 2016 (the last day)") or the first day not ("with effect from 1
// October 2016 (the last day was 30 September 2016)"), never a bare "until"/"to"/"ended on" that
// could mean either. The partner table keeps the notice column for notices and says how a former
// partner ceased to be one in its own "Until" column.
func TestEndDatesInOneConvention(t *testing.T) {
	store := seeded(t)
	md := packText(t, store, "2016-10-01")
	wind := section(t, md, "2.")
	assert.Contains(t, wind, "in September 2016) with effect from 1 October 2016 (the last day was 30 September 2016); from that day nothing is shared")
	assert.Contains(t, wind, "ended with the partnership with effect from 1 October 2016 (the last day was 30 September 2016): Sheila Oxtoby")
	assert.Contains(t, wind, "The cost shares ended with effect from 1 October 2016 (the last day was 30 September 2016):")
	assert.Contains(t, wind, "Sheila Oxtoby and Karen Sly held them until 30 September 2016 (the last day)")
	assert.NotContains(t, md, "ended on 1 October 2016")
	assert.NotContains(t, md, "until 30 September 2016;")
	assert.Contains(t, md, "| Council | Kind | Partner since | Notice of withdrawal | Until |")
	assert.Contains(t, md, "| Great Yarmouth Borough Council | borough | 2015-10-15 |  | dissolved with effect from 1 October 2016 (the last day was 30 September 2016) |")
	assert.NotContains(t, md, "not a partner since")

	r := ledger(t, nil, "state", "--store", store, "--partnership", gnn, "--as-of", "2016-10-01")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "until 30 September 2016 (the last day)")
	assert.False(t, strings.Contains(r.stdout, "until 2016-10-01"), r.stdout)
}
