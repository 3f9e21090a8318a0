package videogen

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Config is the client's configuration: the JSON document of vg_client_create (README.md, "Configuration"). Zero
// fields are left out, so the library's defaults (and a preset's) apply. Its String and GoString never show the
// API key, the access token or the secret key.
type Config struct {
	// Provider is a preset ("applerouter", "routerone", "newapi", "openai", "gemini", "vertex", "kling", "fal",
	// "replicate", "minimax", "minimaxi", "runway", "luma", "ark", "byteplus", "dashscope", "dashscope-us",
	// "dashscope-cn", "vidu", "openrouter"): dialect, address, schedule.
	Provider string `json:"provider,omitempty"`
	// Dialect is "openai", "unified", "kling", "routerone", "chat", "gemini", "vertex", "kling_official", "fal",
	// "replicate", "minimax", "runway", "luma", "ark", "dashscope", "vidu", "openrouter" or "gemini_interactions"
	// (required without a provider).
	Dialect string `json:"dialect,omitempty"`
	// BaseURL is the http(s) root of the service; it overrides a preset's.
	BaseURL string `json:"base_url,omitempty"`
	// APIKey is the key itself; prefer APIKeyEnv, which keeps it out of the program's memory until the library
	// reads it.
	APIKey string `json:"api_key,omitempty"`
	// APIKeyEnv names the environment variable holding the key.
	APIKeyEnv string `json:"api_key_env,omitempty"`
	// StatusRoute is, for the unified dialect only, "generations" or "videos".
	StatusRoute string `json:"status_route,omitempty"`
	// Project is, for the vertex dialect only, the Google Cloud project (needed to submit, not to resume).
	Project string `json:"project,omitempty"`
	// Location is, for the vertex dialect only, the Google Cloud location (default "us-central1"); the vertex
	// preset's address follows it.
	Location string `json:"location,omitempty"`
	// AccessToken is, for the vertex dialect only, an OAuth access token sent as is and never renewed; prefer
	// AccessTokenEnv. Hidden by String, like APIKey.
	AccessToken string `json:"access_token,omitempty"`
	// AccessTokenEnv names, for the vertex dialect only, the environment variable holding the access token.
	AccessTokenEnv string `json:"access_token_env,omitempty"`
	// ServiceAccountFile is, for the vertex dialect only, a service account key file from which the library mints
	// and renews access tokens (one of AccessToken, AccessTokenEnv, ServiceAccountFile, or the API key fields).
	ServiceAccountFile string `json:"service_account_file,omitempty"`
	// SecretKey is, for the kling_official dialect (the "kling" preset) only, Kling's secret key that signs the
	// JWT beside the access key (APIKey); prefer SecretKeyEnv. Hidden by String, like APIKey.
	SecretKey string `json:"secret_key,omitempty"`
	// SecretKeyEnv names, for the kling_official dialect only, the environment variable holding the secret key.
	SecretKeyEnv string `json:"secret_key_env,omitempty"`
	// PreferWait is, for the replicate dialect only, the seconds of "Prefer: wait=N" (0-60; a pointer to 0 for
	// none); nil keeps the default (5 s).
	PreferWait *int `json:"prefer_wait,omitempty"`
	// ServerDeadline, for the fal and replicate dialects only, makes the service drop the task WaitTimeout after
	// the submit (fal: X-Fal-Request-Timeout; replicate: Cancel-After).
	ServerDeadline bool `json:"server_deadline,omitempty"`
	// MinimaxAPI is, for the minimax dialect only, "v1" (the default) or "v2": the API new tasks are created with.
	MinimaxAPI string `json:"minimax_api,omitempty"`
	// RunwayVersion is, for the runway dialect only, the dated X-Runway-Version sent (default "2024-11-06").
	RunwayVersion string `json:"runway_version,omitempty"`
	// AllowInsecureHTTP allows plain http to a host other than loopback.
	AllowInsecureHTTP bool `json:"allow_insecure_http,omitempty"`
	// RequestTimeout is the seconds for one whole request.
	RequestTimeout float64 `json:"request_timeout,omitempty"`
	// WaitTimeout is the seconds a Wait lasts when its context has no deadline.
	WaitTimeout float64 `json:"wait_timeout,omitempty"`
	// StallTimeout is the seconds without a byte before a download fails (and resumes).
	StallTimeout float64 `json:"stall_timeout,omitempty"`
	// MinDownloadRate is the bytes/s below which a download counts as stalled.
	MinDownloadRate float64 `json:"min_download_rate,omitempty"`
	// DownloadTimeout is the seconds for a whole download (all attempts).
	DownloadTimeout float64 `json:"download_timeout,omitempty"`
	// MaxResponseBytes caps JSON answers.
	MaxResponseBytes int64 `json:"max_response_bytes,omitempty"`
	// MaxDownloadBytes caps the video.
	MaxDownloadBytes int64 `json:"max_download_bytes,omitempty"`
	// UserAgent replaces the library's User-Agent.
	UserAgent string `json:"user_agent,omitempty"`
	// Proxy is a proxy URL; nil takes the environment's, a pointer to "" means none.
	Proxy *string `json:"proxy,omitempty"`
	// CAFile is a PEM file of CA certificates for a private CA.
	CAFile string `json:"ca_file,omitempty"`
	// Poll is the poll schedule; nil keeps the defaults.
	Poll *PollConfig `json:"poll,omitempty"`
	// Retry is the retry policy; nil keeps the defaults.
	Retry *RetryConfig `json:"retry,omitempty"`
}

// PollConfig is the "poll" member of the configuration (seconds).
type PollConfig struct {
	Interval    float64 `json:"interval,omitempty"`     // first delay after a submit
	MaxInterval float64 `json:"max_interval,omitempty"` // ceiling of the schedule
	Multiplier  float64 `json:"multiplier,omitempty"`   // growth per poll
	Jitter      float64 `json:"jitter,omitempty"`       // random shortening, 0-1
	MinInterval float64 `json:"min_interval,omitempty"` // floor, also for server hints
	MaxHint     float64 `json:"max_hint,omitempty"`     // ceiling for server hints
	Adaptive    *bool   `json:"adaptive,omitempty"`     // poll just after the end the progress rate points to
}

// RetryConfig is the "retry" member of the configuration.
type RetryConfig struct {
	MaxAttempts   int     `json:"max_attempts,omitempty"`    // attempts per request
	BaseDelay     float64 `json:"base_delay,omitempty"`      // seconds, doubled per attempt
	MaxDelay      float64 `json:"max_delay,omitempty"`       // seconds
	MaxRetryAfter float64 `json:"max_retry_after,omitempty"` // a longer Retry-After fails at once
}

// JSON is the configuration document given to vg_client_create.
func (c Config) JSON() (string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return "", &Error{Code: CodeInvalidArgument, Op: "create", Message: "configuration: " + err.Error(), RetryAfter: -1}
	}
	return string(b), nil
}

// String describes the configuration with the API key, the access token and the secret key each replaced by
// "<redacted>".
func (c Config) String() string {
	for _, secret := range []*string{&c.APIKey, &c.AccessToken, &c.SecretKey} {
		if *secret != "" {
			*secret = "<redacted>"
		}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(c); err != nil {
		return "videogen.Config{?}"
	}
	return "videogen.Config" + strings.TrimSuffix(b.String(), "\n")
}

// GoString is String, so that %#v does not show the key either.
func (c Config) GoString() string { return c.String() }

// Format keeps every verb (%v, %+v, %#v, %s, %q) on String, so the key never reaches fmt's struct printer.
func (c Config) Format(f fmt.State, verb rune) { fmt.Fprint(f, c.String()) }
