package videogen

import "encoding/json"

// Request is a generation request: the JSON document of vg_client_submit (README.md, "Request"). Zero fields are
// left out. Fields the client's dialect cannot carry are refused by the library by name, never dropped.
type Request struct {
	Model          string         `json:"model"`                      // required
	Prompt         string         `json:"prompt"`                     // required
	NegativePrompt string         `json:"negative_prompt,omitempty"`  // what to avoid
	Image          string         `json:"image,omitempty"`            // first frame: URL, path or data: URI
	Images         []string       `json:"images,omitempty"`           // reference images
	InputReference string         `json:"input_reference,omitempty"`  // the reference image under OpenAI's name
	ImageTail      string         `json:"image_tail,omitempty"`       // last frame (Kling)
	Duration       int            `json:"duration,omitempty"`         // whole seconds
	Size           string         `json:"size,omitempty"`             // "1280x720"
	Width          int            `json:"width,omitempty"`            // with Height, instead of Size
	Height         int            `json:"height,omitempty"`           // with Width
	AspectRatio    string         `json:"aspect_ratio,omitempty"`     // "16:9"
	Resolution     string         `json:"resolution,omitempty"`       // "720p"
	FPS            int            `json:"fps,omitempty"`              // frames per second
	Seed           *int64         `json:"seed,omitempty"`             // nil: the service's choice
	N              int            `json:"n,omitempty"`                // number of videos
	Watermark      *bool          `json:"watermark,omitempty"`        // nil: the service's default
	Mode           string         `json:"mode,omitempty"`             // e.g. Kling's "std" | "pro"
	CfgScale       *float64       `json:"cfg_scale,omitempty"`        // 0 to 1
	CameraControl  map[string]any `json:"camera_control,omitempty"`   // Kling's movement
	CallbackURL    string         `json:"callback_url,omitempty"`     // http(s) webhook
	ExternalTaskID string         `json:"external_task_id,omitempty"` // your own id for the task
	Metadata       map[string]any `json:"metadata,omitempty"`         // sent verbatim where the dialect has one
	Extra          map[string]any `json:"extra,omitempty"`            // provider fields sent verbatim
	IdempotencyKey string         `json:"idempotency_key,omitempty"`  // the submit's Idempotency-Key
}

// JSON is the request document given to vg_client_submit_async.
func (r Request) JSON() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", &Error{Code: CodeInvalidArgument, Op: "submit", Message: "request: " + err.Error(), RetryAfter: -1}
	}
	return string(b), nil
}
