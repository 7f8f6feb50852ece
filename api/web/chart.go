package web

import (
	"fmt"

	"github.com/partnership-ledger/ledger/domain"
	"github.com/partnership-ledger/ledger/domain/words"
	"github.com/partnership-ledger/ledger/projections"
)

// chart is the savings chart: horizontal bars per council per financial year (target, forecast,
// outturn), drawn as inline SVG. The data table beside it carries the same figures.
type chart struct {
	Width, Height int
	Bars          []bar
	Labels        []chartLabel
	Empty         bool
}

type bar struct {
	X, Y, W, H int
	Class      string
	Title      string
}

type chartLabel struct {
	X, Y  int
	Text  string
	Class string
}

const (
	chartWidth = 420
	barH       = 14
	barsRight  = chartWidth - 80
)

func buildChart(st *projections.State) chart {
	c := chart{Width: chartWidth}
	var max int64
	for _, y := range st.Savings.Years {
		for _, cs := range y.Councils {
			max = maxOf(max, amount(cs.TargetPence), amount(cs.ForecastPence), amount(cs.OutturnPence))
		}
	}
	if max == 0 {
		c.Empty = true
		return c
	}
	scale := func(p int64) int {
		if p <= 0 {
			return 0
		}
		return max1(int(float64(p) / float64(max) * float64(barsRight)))
	}
	names := councilNames(st)
	y := 0
	for _, yr := range st.Savings.Years {
		y += 20
		c.Labels = append(c.Labels, chartLabel{X: 0, Y: y, Text: "FY " + yr.Label, Class: "year"})
		y += 6
		for _, cs := range yr.Councils {
			name := names[cs.Council]
			if name == "" {
				name = cs.Council
			}
			y += 16
			c.Labels = append(c.Labels, chartLabel{X: 0, Y: y, Text: name, Class: "council"})
			y += 4
			for i, s := range []struct {
				class, none string
				v           int64
				has         bool
			}{{"target", words.NotRecorded, amount(cs.TargetPence), cs.TargetPence != nil},
				{"forecast", words.NotRecorded, amount(cs.ForecastPence), cs.ForecastPence != nil},
				{"outturn", words.NotRecorded, amount(cs.OutturnPence), cs.OutturnPence != nil}} {
				by := y + i*(barH+3)
				w := scale(s.v)
				text := domain.Pence(s.v).String()
				if !s.has {
					w, text = 0, s.none
				}
				c.Bars = append(c.Bars, bar{X: 0, Y: by, W: w, H: barH, Class: s.class,
					Title: fmt.Sprintf("%s %s %s: %s", name, yr.Label, s.class, text)})
				c.Labels = append(c.Labels, chartLabel{X: w + 5, Y: by + barH - 3, Text: text, Class: "value"})
			}
			y += 3*(barH+3) + 4
		}
	}
	c.Height = y + 4
	return c
}

// amount is a figure of the view for the chart's scale: 0 when it was not recorded (the bar then
// says so instead of showing an amount).
func amount(p *domain.Pence) int64 {
	if p == nil {
		return 0
	}
	return int64(*p)
}

// councilNames maps the slugs of the councils the partnership named (former partners too) to their names.
func councilNames(st *projections.State) map[string]string {
	names := map[string]string{}
	for c, n := range st.Councils {
		if n != "" {
			names[c.String()] = n
		}
	}
	return names
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

func maxOf(m int64, vs ...int64) int64 {
	for _, v := range vs {
		if v > m {
			m = v
		}
	}
	return m
}
