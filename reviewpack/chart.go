package reviewpack

import (
	"fmt"
	"html"
	"strings"

	"github.com/partnership-ledger/ledger/domain"
)

// chartPalette colours the series; chosen to stay distinct when printed in greyscale.
var chartPalette = [][3]uint8{{31, 78, 121}, {127, 166, 204}, {214, 137, 16}, {90, 90, 90}, {46, 139, 87}, {170, 60, 60}}

// chartLayout is the geometry shared by the SVG and PDF charts, in abstract units.
type chartLayout struct {
	max   int64 // top of the value axis, pence
	ticks []int64
}

// layoutChart picks a round axis maximum and its ticks.
func layoutChart(c *Chart) chartLayout {
	var top int64
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != nil {
				top = max(top, int64(*v))
			}
		}
	}
	if top <= 0 {
		top = 100 // £1: an empty chart still draws
	}
	// The smallest step of 1, 2 or 5 times a power of ten that needs at most five ticks.
	step := int64(1)
	for mult := 0; top > step*5; mult = (mult + 1) % 3 {
		step = step * []int64{2, 5, 2}[mult] / []int64{1, 2, 1}[mult]
	}
	l := chartLayout{}
	for v := int64(0); ; v += step {
		l.ticks = append(l.ticks, v)
		if v >= top {
			l.max = v
			break
		}
	}
	return l
}

// chartSVG draws the chart as inline SVG (no scripts, no external resources).
func chartSVG(c *Chart) string {
	if len(c.Categories) == 0 || len(c.Series) == 0 {
		return ""
	}
	const (
		W, H                   = 640.0, 300.0
		left, right, top, foot = 78.0, 12.0, 28.0, 58.0
	)
	l := layoutChart(c)
	plotW, plotH := W-left-right, H-top-foot
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" width="100%%" role="img" aria-label="%s">`, W, H, html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(c.Title))
	b.WriteString(`<g font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#222">`)
	for _, t := range l.ticks {
		y := top + plotH - float64(t)/float64(l.max)*plotH
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ccc" stroke-width="0.5"/>`, left, y, W-right, y)
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%s</text>`, left-6, y+4, html.EscapeString(domain.Pence(t).String()))
	}
	groupW := plotW / float64(len(c.Categories))
	barW := groupW * 0.8 / float64(len(c.Series))
	for ci, cat := range c.Categories {
		gx := left + float64(ci)*groupW + groupW*0.1
		for si, s := range c.Series {
			if ci >= len(s.Values) || s.Values[ci] == nil {
				continue // nothing recorded: no bar, not a bar of £0
			}
			v := int64(*s.Values[ci])
			h := float64(max(v, 0)) / float64(l.max) * plotH
			col := chartPalette[si%len(chartPalette)]
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="rgb(%d,%d,%d)"><title>%s %s: %s</title></rect>`,
				gx+float64(si)*barW, top+plotH-h, barW*0.92, h, col[0], col[1], col[2],
				html.EscapeString(s.Name), html.EscapeString(cat), html.EscapeString(domain.Pence(v).String()))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%s</text>`, left+float64(ci)*groupW+groupW/2, top+plotH+16, html.EscapeString(cat))
	}
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#222"/>`, left, top+plotH, W-right, top+plotH)
	// Legend under the axis.
	x := left
	for si, s := range c.Series {
		col := chartPalette[si%len(chartPalette)]
		fmt.Fprintf(&b, `<rect x="%.1f" y="%g" width="10" height="10" fill="rgb(%d,%d,%d)"/>`, x, H-22, col[0], col[1], col[2])
		fmt.Fprintf(&b, `<text x="%.1f" y="%g">%s</text>`, x+14, H-13, html.EscapeString(s.Name))
		x += 14 + 6.2*float64(len([]rune(s.Name))) + 18
	}
	fmt.Fprintf(&b, `<text x="%g" y="16" font-weight="bold" font-size="12">%s</text>`, left, html.EscapeString(c.Title))
	b.WriteString(`</g></svg>`)
	return b.String()
}
