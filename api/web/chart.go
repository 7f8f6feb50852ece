package web

import (
	"fmt"

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
	chartWidth = 640
	labelW     = 200
	barH       = 12
	barsLeft   = labelW + 10
	barsRight  = chartWidth - 90
)

func buildChart(st *projections.State) chart {
	c := chart{Width: chartWidth}
	var max int64
	for _, y := range st.Savings.Years {
		for _, cs := range y.Councils {
			max = maxOf(max, cs.TargetPence, cs.ForecastPence, cs.OutturnPence)
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
		return int(float64(p) / float64(max) * float64(barsRight-barsLeft))
	}
	names := map[string]string{}
	for _, p := range st.Partners {
		names[p.Council] = p.Name
	}
	y := 6
	for _, yr := range st.Savings.Years {
		y += 16
		c.Labels = append(c.Labels, chartLabel{X: 0, Y: y, Text: "FY " + yr.Label, Class: "year"})
		y += 8
		for _, cs := range yr.Councils {
			name := names[cs.Council]
			if name == "" {
				name = cs.Council
			}
			c.Labels = append(c.Labels, chartLabel{X: 0, Y: y + 2*barH + 4, Text: shorten(name, 30), Class: "council"})
			for i, s := range []struct {
				class string
				v     int64
			}{{"target", cs.TargetPence}, {"forecast", cs.ForecastPence}, {"outturn", cs.OutturnPence}} {
				by := y + i*(barH+2)
				w := scale(s.v)
				c.Bars = append(c.Bars, bar{X: barsLeft, Y: by, W: w, H: barH, Class: s.class,
					Title: fmt.Sprintf("%s %s %s: %s", name, yr.Label, s.class, projections.FormatPence(s.v))})
				c.Labels = append(c.Labels, chartLabel{X: barsLeft + w + 4, Y: by + barH - 2, Text: projections.FormatPence(s.v), Class: "value"})
			}
			y += 3*(barH+2) + 10
		}
	}
	c.Height = y + 4
	return c
}

func maxOf(m int64, vs ...int64) int64 {
	for _, v := range vs {
		if v > m {
			m = v
		}
	}
	return m
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
