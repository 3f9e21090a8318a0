import Foundation
import Testing
@testable import VideoGen

/// The request fields the Kling, Router One and new-api dialects added: parsing and validation.
@Suite("request: mode, cfg_scale, camera_control, frames, callbacks")
struct RequestFieldsTests {
    @Test("the new fields parse")
    func parse() throws {
        let request = try VideoRequest(json: JSONValue.parse(#"""
            {"model":"m","prompt":"p","mode":"pro","cfg_scale":0.5,"camera_control":{"type":"simple","config":{"pan":-2.5}},
             "input_reference":"https://x/r.png","callback_url":"https://hooks.example.com/a",
             "external_task_id":"ext-1"}
            """#))
        #expect(request.mode == "pro" && request.cfgScale == 0.5)
        #expect(request.cameraControl == (try CameraControl(type: "simple", config: ["pan": -2.5])))
        #expect(request.imageTail == nil && request.inputReference == .url("https://x/r.png"))
        #expect(request.callbackURL == "https://hooks.example.com/a" && request.externalTaskID == "ext-1")
        #expect(request.presentFields == ["model", "prompt", "input_reference", "mode", "cfg_scale",
                                          "camera_control", "callback_url", "external_task_id"])
        #expect(request.cameraControl?.json == ["type": "simple", "config": ["pan": -2.5]])
        let framed = try VideoRequest(json: JSONValue.parse(#"{"model":"m","prompt":"p","image_tail":"/tmp/last.png"}"#))
        #expect(framed.imageTail == .file("/tmp/last.png") && framed.presentFields == ["model", "prompt", "image_tail"])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let json: String
        let mentions: String
        var testDescription: String { mentions }
    }

    @Test("bad values are refused naming the field", arguments: [
        Bad(json: #""cfg_scale":1.5"#, mentions: "'cfg_scale'"),
        Bad(json: #""cfg_scale":"0.5""#, mentions: "'cfg_scale'"),
        Bad(json: #""mode":" ""#, mentions: "'mode'"),
        Bad(json: #""external_task_id":"""#, mentions: "'external_task_id'"),
        Bad(json: #""callback_url":"file:///etc/passwd""#, mentions: "'callback_url'"),
        Bad(json: #""callback_url":"https://""#, mentions: "'callback_url'"),
        Bad(json: #""camera_control":"zoom""#, mentions: "'camera_control'"),
        Bad(json: #""camera_control":{"type":"spin"}"#, mentions: "type must be one of"),
        Bad(json: #""camera_control":{"config":{"zoom":1}}"#, mentions: "'type'"),
        Bad(json: #""camera_control":{"type":"simple"}"#, mentions: "needs a 'config'"),
        Bad(json: #""camera_control":{"type":"simple","config":{"zoom":0}}"#, mentions: "exactly one non-zero"),
        Bad(json: #""camera_control":{"type":"simple","config":{"zoom":1,"pan":1}}"#, mentions: "exactly one non-zero"),
        Bad(json: #""camera_control":{"type":"simple","config":{"zoom":10.5}}"#, mentions: "between -10 and 10"),
        Bad(json: #""camera_control":{"type":"simple","config":{"dolly":1}}"#, mentions: "unknown config axis 'dolly'"),
        Bad(json: #""camera_control":{"type":"simple","config":{"zoom":"1"}}"#, mentions: "'zoom'"),
        Bad(json: #""camera_control":{"type":"down_back","config":{"zoom":1}}"#, mentions: "only type 'simple'"),
        Bad(json: #""camera_control":{"type":"down_back","speed":2}"#, mentions: "'speed'"),
        Bad(json: #""camera_control":{"type":"down_back"},"image_tail":"https://x/t.png""#, mentions: "exclude each other"),
        Bad(json: #""image_tail":3"#, mentions: "'image_tail'"),
        Bad(json: #""input_reference":["a"]"#, mentions: "'input_reference'"),
    ])
    func bad(_ item: Bad) {
        let error = expectError(.invalidArgument) {
            _ = try VideoRequest(json: JSONValue.parse(#"{"model":"m","prompt":"p",\#(item.json)}"#))
        }
        #expect(error?.message.contains(item.mentions) == true, "\(error?.message ?? "")")
    }

    @Test("validate() also guards requests built in Swift")
    func swiftBuilt() throws {
        var request = VideoRequest(model: "m", prompt: "p")
        request.cfgScale = .nan
        expectError(.invalidArgument) { try request.validate() }
        request.cfgScale = nil
        request.cameraControl = try CameraControl(type: "forward_up")
        request.imageTail = .url("https://x/t.png")
        expectError(.invalidArgument) { try request.validate() }
    }
}
