package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// WriteText writes one line per finding: file:line:col: SEVERITY CODE message.
func WriteText(w io.Writer, fs []Finding) error {
	for _, f := range fs {
		if _, err := fmt.Fprintln(w, f.String()); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the findings as a JSON array (an empty array when there are none).
func WriteJSON(w io.Writer, fs []Finding) error {
	if fs == nil {
		fs = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(fs)
}

// SARIF 2.1.0 constants.
const (
	SARIFVersion = "2.1.0"
	SARIFSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	// InformationURI is where the rules are documented.
	InformationURI = "https://github.com/kmsim/kmsim/blob/main/docs/lint.md"
)

// SARIF is the subset of the SARIF 2.1.0 log format kmsim writes.
type SARIF struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []SARIFRun `json:"runs"`
}

// SARIFRun is one tool run.
type SARIFRun struct {
	Tool    SARIFTool     `json:"tool"`
	Results []SARIFResult `json:"results"`
}

// SARIFTool names the tool and its rules.
type SARIFTool struct {
	Driver SARIFDriver `json:"driver"`
}

// SARIFDriver is the tool component.
type SARIFDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []SARIFRule `json:"rules"`
}

// SARIFRule is a reportingDescriptor.
type SARIFRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     SARIFText         `json:"shortDescription"`
	FullDescription      SARIFText         `json:"fullDescription"`
	Help                 SARIFText         `json:"help"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration SARIFRuleConfig   `json:"defaultConfiguration"`
	Properties           SARIFRuleProperty `json:"properties"`
}

// SARIFText is a message string.
type SARIFText struct {
	Text string `json:"text"`
}

// SARIFRuleConfig is a rule's default configuration.
type SARIFRuleConfig struct {
	Level string `json:"level"`
}

// SARIFRuleProperty carries tags, the precision and (for security rules) GitHub's security-severity.
type SARIFRuleProperty struct {
	Tags             []string `json:"tags"`
	Precision        string   `json:"precision"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

// SARIFResult is one finding.
type SARIFResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   SARIFText       `json:"message"`
	Locations []SARIFLocation `json:"locations"`
}

// SARIFLocation is where a result was found.
type SARIFLocation struct {
	PhysicalLocation SARIFPhysicalLocation `json:"physicalLocation"`
}

// SARIFPhysicalLocation is a file region.
type SARIFPhysicalLocation struct {
	ArtifactLocation SARIFArtifactLocation `json:"artifactLocation"`
	Region           SARIFRegion           `json:"region"`
}

// SARIFArtifactLocation is a file, by URI relative to the repository root.
type SARIFArtifactLocation struct {
	URI string `json:"uri"`
}

// SARIFRegion is a start position.
type SARIFRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// Level maps a severity to a SARIF level: ERROR is error, SECURITY_WARNING and WARNING are warning,
// SUGGESTION is note.
func (s Severity) Level() string {
	switch s {
	case SeverityError:
		return "error"
	case SeveritySecurity, SeverityWarning:
		return "warning"
	}
	return "note"
}

// NewSARIF builds a SARIF log of the findings. Paths become relative, slash-separated URIs.
func NewSARIF(fs []Finding, toolVersion string) *SARIF {
	driver := SARIFDriver{Name: "kmsim-lint", Version: toolVersion, InformationURI: InformationURI}
	index := map[string]int{}
	for i, r := range Rules {
		index[r.ID] = i
		props := SARIFRuleProperty{Tags: append([]string{"kms", "iam-policy"}, r.Tags...), Precision: "high"}
		if r.Severity == SeveritySecurity {
			props.SecuritySeverity = "7.5"
		}
		if r.Severity == SeverityError && contains(r.Tags, "security") {
			props.SecuritySeverity = "8.0"
		}
		driver.Rules = append(driver.Rules, SARIFRule{
			ID: r.ID, Name: r.Name,
			ShortDescription:     SARIFText{r.Short},
			FullDescription:      SARIFText{r.Full},
			Help:                 SARIFText{r.Help},
			HelpURI:              InformationURI + "#" + strings.ToLower(r.ID),
			DefaultConfiguration: SARIFRuleConfig{Level: r.Severity.Level()},
			Properties:           props,
		})
	}
	results := []SARIFResult{}
	for _, f := range fs {
		line, col := f.Line, f.Column
		if line < 1 {
			line = 1
		}
		if col < 1 {
			col = 1
		}
		results = append(results, SARIFResult{
			RuleID: f.Code, RuleIndex: index[f.Code], Level: f.Severity.Level(),
			Message: SARIFText{f.Message},
			Locations: []SARIFLocation{{PhysicalLocation: SARIFPhysicalLocation{
				ArtifactLocation: SARIFArtifactLocation{URI: artifactURI(f.File)},
				Region:           SARIFRegion{StartLine: line, StartColumn: col},
			}}},
		})
	}
	return &SARIF{Schema: SARIFSchema, Version: SARIFVersion, Runs: []SARIFRun{{Tool: SARIFTool{Driver: driver}, Results: results}}}
}

func artifactURI(path string) string {
	p := filepath.ToSlash(filepath.Clean(path))
	return strings.TrimPrefix(p, "./")
}

// WriteSARIF writes the findings as a SARIF 2.1.0 log for GitHub code scanning.
func WriteSARIF(w io.Writer, fs []Finding, toolVersion string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewSARIF(fs, toolVersion))
}
