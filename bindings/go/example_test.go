package videogen_test

// The README's example, compiled with the tests so that it cannot drift (an Example without "Output:" is compiled,
// not run: it needs a real service and key).

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"videogen"
)

func ExampleClient_Generate() {
	client, err := videogen.NewClient(videogen.Config{
		Provider: "applerouter", Dialect: "openai", APIKeyEnv: "APPLEROUTER_KEY",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute) // the wait's deadline
	defer cancel()
	task, err := client.Generate(ctx, videogen.Request{Model: "veo-3.1", Prompt: "a red fox in the snow", AspectRatio: "16:9"},
		"fox.mp4", videogen.WithProgress(func(u videogen.Update) { fmt.Printf("%v %d%%\n", u.State, u.Progress) }))
	if task != nil {
		defer task.Close()
	}
	var verr *videogen.Error
	switch {
	case err == nil:
		fmt.Println("saved fox.mp4")
	case errors.Is(err, videogen.ErrDeadline): // still running on the service: keep the record, resume later
		record, _ := task.Record()
		_ = os.WriteFile("fox.task.json", []byte(record), 0o600)
	case errors.Is(err, videogen.ErrRateLimited) && errors.As(err, &verr):
		fmt.Println("retry after", verr.RetryAfter)
	default:
		log.Fatal(err) // e.g. "videogen: wait: content policy: ... (provider code content_policy_violation, task video_...)"
	}
}
