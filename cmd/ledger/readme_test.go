package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/partnership-ledger/ledger/api"
	"github.com/partnership-ledger/ledger/api/contracttest"
)

// readmeHost is the server the README's examples name; the test puts the running demo's in its place.
const readmeHost = "http://127.0.0.1:8080"

// Every curl example of README.md (each line of a ```sh block that starts with curl, with its
// continuation lines) and every curl line `ledger demo` prints runs against the running demo as
// written, with the demo's address for http://127.0.0.1:8080 and the demo's tokens for
// RECORDER_TOKEN and AUDITOR_TOKEN. Each answers the status its trailing comment names ("# 412 ...")
// or else 200 (201 for a POST), and the answer, and a request the server accepted, match the OpenAPI
// document (kin-openapi): the examples people copy work, and show what the document promises.
func TestREADMECurlExamples(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	fromReadme := curlLines(t, shBlocks(string(readme)))
	require.GreaterOrEqual(t, len(fromReadme), 2, "the README's curl examples were found")

	s := startDemo(t, tempStore(t))
	printed := curlLines(t, strings.Join(s.printed, "\n"))
	require.Len(t, printed, 2, "the demo prints a curl line per token: %q", s.printed)

	contract, err := contracttest.Load(api.OpenAPI())
	require.NoError(t, err)
	run := func(name, line string) {
		t.Run(name, func(t *testing.T) {
			line = strings.NewReplacer(readmeHost, s.base, "RECORDER_TOKEN", s.token, "AUDITOR_TOKEN", s.auditor).Replace(line)
			c, err := parseCurl(line)
			require.NoError(t, err, "the example is a curl command this test reads: %s", line)
			req, err := c.request(context.Background())
			require.NoError(t, err, line)
			reqBody := []byte(c.data)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err, line)
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			require.NoError(t, err)
			require.Equal(t, c.want, res.StatusCode, "%s\nanswered: %s", line, body)
			assert.Empty(t, contract.Check(contracttest.Exchange{Request: req, RequestBody: reqBody, Status: res.StatusCode,
				Header: res.Header, Body: body}), "%s\nanswered: %s", line, body)
		})
	}
	for i, l := range fromReadme {
		run(fmt.Sprintf("README#%d", i+1), l)
	}
	for i, l := range printed {
		run(fmt.Sprintf("demo#%d", i+1), l)
	}
}

// shBlocks returns the text of the ```sh blocks of a Markdown document, one after the other.
func shBlocks(md string) string {
	var out []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case !in && strings.TrimSpace(line) == "```sh":
			in = true
		case in && strings.TrimSpace(line) == "```":
			in = false
		case in:
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// curlLines returns each command of text that starts with curl, its continuation lines (a line
// ending in a backslash goes on on the next) joined to it as the shell reads them.
func curlLines(t *testing.T, text string) []string {
	t.Helper()
	var out []string
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "curl ") {
			continue
		}
		for strings.HasSuffix(line, `\`) && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, `\`) + " " + strings.TrimSpace(lines[i])
		}
		out = append(out, line)
	}
	return out
}

// curlCommand is a curl command line as this test reads it.
type curlCommand struct {
	method, url, data string
	headers           [][2]string
	want              int // the status the example's comment names, else 200 (201 for a POST)
}

// expectStatus is a trailing comment naming the status an example answers: "# 412 when ...".
var expectStatus = regexp.MustCompile(`^#\s*([1-5][0-9][0-9])\b`)

// parseCurl reads a curl command: its words split as a POSIX shell splits them (single and double
// quotes, backslashes; a word starting with # begins a comment; no variables or substitutions), then
// the options -s/--silent, -S/--show-error, -i/--include (and those letters combined), -H/--header,
// -d/--data/--data-raw and -X/--request, and one URL. Anything else is an error naming it, so an
// example the test cannot run as written fails instead of being left out. As curl does, -d makes the
// method POST, and the Content-Type application/x-www-form-urlencoded unless a header names one.
func parseCurl(line string) (curlCommand, error) {
	words, comment, err := shellWords(line)
	if err != nil {
		return curlCommand{}, err
	}
	if len(words) == 0 || words[0] != "curl" {
		return curlCommand{}, fmt.Errorf("not a curl command")
	}
	var c curlCommand
	hasData := false
	for i := 1; i < len(words); i++ {
		w := words[i]
		arg := func() (string, error) {
			if i+1 >= len(words) {
				return "", fmt.Errorf("%s needs a value", w)
			}
			i++
			return words[i], nil
		}
		switch {
		case w == "-H" || w == "--header":
			v, err := arg()
			if err != nil {
				return c, err
			}
			name, value, ok := strings.Cut(v, ":")
			if !ok {
				return c, fmt.Errorf("header %q has no colon", v)
			}
			c.headers = append(c.headers, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
		case w == "-d" || w == "--data" || w == "--data-raw":
			v, err := arg()
			if err != nil {
				return c, err
			}
			if strings.HasPrefix(v, "@") && w != "--data-raw" {
				return c, fmt.Errorf("%s %q reads a file, which an example cannot rely on", w, v)
			}
			c.data += v
			hasData = true
		case w == "-X" || w == "--request":
			if c.method, err = arg(); err != nil {
				return c, err
			}
		case w == "--silent" || w == "--show-error" || w == "--include":
		case strings.HasPrefix(w, "-") && len(w) > 1 && strings.Trim(w[1:], "sSi") == "":
		case strings.HasPrefix(w, "-"):
			return c, fmt.Errorf("curl option %s is not one this test reads", w)
		case c.url != "":
			return c, fmt.Errorf("a second URL %q", w)
		default:
			c.url = w
		}
	}
	if c.url == "" {
		return c, fmt.Errorf("no URL")
	}
	if c.method == "" {
		c.method = http.MethodGet
		if hasData {
			c.method = http.MethodPost
		}
	}
	c.want = http.StatusOK
	if c.method == http.MethodPost {
		c.want = http.StatusCreated
	}
	if m := expectStatus.FindStringSubmatch(comment); m != nil {
		c.want, _ = strconv.Atoi(m[1])
	}
	if hasData && !hasHeader(c.headers, "Content-Type") {
		c.headers = append(c.headers, [2]string{"Content-Type", "application/x-www-form-urlencoded"})
	}
	return c, nil
}

func hasHeader(h [][2]string, name string) bool {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			return true
		}
	}
	return false
}

// request is the HTTP request the command sends.
func (c curlCommand) request(ctx context.Context) (*http.Request, error) {
	var body io.Reader
	if c.data != "" {
		body = strings.NewReader(c.data)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return nil, err
	}
	for _, kv := range c.headers {
		req.Header.Add(kv[0], kv[1])
	}
	return req, nil
}

// shellWords splits line into words as a POSIX shell does for a simple command: single quotes keep
// everything; double quotes keep everything but \" \\ \$ \` (a $ or ` left in them, or unquoted, is
// refused: the examples use no variables); a backslash outside quotes keeps the next character; an
// unquoted # at the start of a word begins the comment, returned with its #.
func shellWords(line string) (words []string, comment string, err error) {
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		case ch == '#' && !inWord:
			return words, line[i:], nil
		case ch == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, "", fmt.Errorf("a single quote is not closed")
			}
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				switch {
				case line[i] == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`", line[i+1]) >= 0:
					i++
					cur.WriteByte(line[i])
				case line[i] == '$' || line[i] == '`':
					return nil, "", fmt.Errorf("%q in double quotes is a shell substitution, which the examples do not use", line[i])
				default:
					cur.WriteByte(line[i])
				}
			}
			if i >= len(line) {
				return nil, "", fmt.Errorf("a double quote is not closed")
			}
			inWord = true
		case ch == '\\':
			if i+1 < len(line) {
				i++
				cur.WriteByte(line[i])
			}
			inWord = true
		case strings.IndexByte("$`;&|<>()", ch) >= 0:
			return nil, "", fmt.Errorf("%q outside quotes is shell syntax the examples do not use", ch)
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, "", nil
}

// The test's reading of curl commands: quotes, continuations, comments naming a status, -d making a
// POST, and refusals of what it cannot run as written.
func TestParseCurl(t *testing.T) {
	c, err := parseCurl(`curl -si -H 'Authorization: Bearer pl_x' -H "If-Match: \"3\"" -d '{"a":"it'\''s"}' http://h/v1/x   # 412 when stale`)
	require.NoError(t, err)
	assert.Equal(t, curlCommand{method: "POST", url: "http://h/v1/x", data: `{"a":"it's"}`, want: 412,
		headers: [][2]string{{"Authorization", "Bearer pl_x"}, {"If-Match", `"3"`}, {"Content-Type", "application/x-www-form-urlencoded"}}}, c)

	c, err = parseCurl(`curl http://h/checkpoint # the checkpoint, with cosignatures`)
	require.NoError(t, err)
	assert.Equal(t, curlCommand{method: "GET", url: "http://h/checkpoint", want: 200}, c)

	lines := curlLines(t, "ledger x\n  curl -H 'A: b' \\\n    -X DELETE \\\n    http://h/y\n")
	assert.Equal(t, []string{`curl -H 'A: b'  -X DELETE  http://h/y`}, lines)

	for _, bad := range []string{`curl -o out http://h/`, `curl http://h/ http://h/2`, `curl -H "x: $TOKEN" http://h/`,
		`curl 'http://h/`, `curl -d @body.json http://h/`, `curl -H nocolon http://h/`, `curl -s`, `curl http://h/ | jq`} {
		_, err := parseCurl(bad)
		assert.Error(t, err, bad)
	}
}
