package videogen

// Snapshot is a task's record (README.md, "Task snapshot / record") as Go values.
type Snapshot struct {
	RecordVersion  int               `json:"record_version"`
	ID             string            `json:"id"`
	Dialect        string            `json:"dialect"`
	BaseURL        string            `json:"base_url"`
	State          string            `json:"state"`           // queued | running | succeeded | failed | cancelled | expired
	ProviderStatus string            `json:"provider_status"` // the provider's own word
	Progress       *int              `json:"progress"`        // nil when the provider does not say
	QueuePosition  *int              `json:"queue_position"`  // nil when unknown
	VideoURL       string            `json:"video_url"`       // sensitive when signed
	Error          *SnapshotError    `json:"error"`           // why the task ended unsuccessfully
	Model          string            `json:"model"`
	CreatedAt      *float64          `json:"created_at"` // Unix seconds
	UpdatedAt      *float64          `json:"updated_at"`
	ExpiresAt      *float64          `json:"expires_at"`
	IdempotencyKey string            `json:"idempotency_key"`
	RemixedFrom    string            `json:"remixed_from"`
	Links          map[string]any    `json:"links"`    // the task's own addresses or names at the service, or nil
	Usage          map[string]any    `json:"usage"`    // what the task cost, under the service's own names, or nil
	Outputs        []string          `json:"outputs"`  // every video when the task made several (the first is VideoURL)
	Download       *SnapshotDownload `json:"download"` // the last download, or nil
}

// SnapshotError is the "error" member of a record.
type SnapshotError struct {
	Code         string   `json:"code"`
	Message      string   `json:"message"`
	ProviderCode string   `json:"provider_code"`
	HTTPStatus   int      `json:"http_status"`
	RetryAfter   *float64 `json:"retry_after"`
}

// SnapshotDownload is the "download" member of a record.
type SnapshotDownload struct {
	Path    string `json:"path"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
	Variant string `json:"variant"` // "thumbnail" | "spritesheet" when that image was downloaded
	Output  int    `json:"output"`  // N when output N (> 0) of Outputs was downloaded
}
