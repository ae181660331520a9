package k8s

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"google.golang.org/protobuf/encoding/protowire"
)

// kubectl's create commands (create secret, create configmap, create
// namespace, create serviceaccount, and the others built on the typed
// clients) send their object in Kubernetes' protobuf encoding. The
// emulator reads it for the simple kinds a trainee makes that way: a
// secret, a config map, a namespace, a service account. Their messages
// are read field by field with the protobuf library's wire reader, by the
// numbers in the Kubernetes API's generated.proto; fields the emulator
// does not keep are skipped. Anything else in protobuf is refused with
// 415 and a message that names the way that works (kubectl apply sends
// JSON), rather than a whole second copy of the Kubernetes types in every
// lab host's binary.

// protobufMagic starts every protobuf-encoded Kubernetes object.
var protobufMagic = []byte("k8s\x00")

// field reads one message's fields, calling fn with each field's number,
// wire type and value (the bytes of a length-delimited field, else nil
// with the varint in n).
func fields(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error) error {
	for len(b) > 0 {
		num, typ, l := protowire.ConsumeTag(b)
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
		var v []byte
		var n uint64
		switch typ {
		case protowire.BytesType:
			v, l = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			n, l = protowire.ConsumeVarint(b)
		default:
			l = protowire.ConsumeFieldValue(num, typ, b)
		}
		if l < 0 {
			return protowire.ParseError(l)
		}
		b = b[l:]
		if err := fn(num, typ, v, n); err != nil {
			return err
		}
	}
	return nil
}

// mapEntry reads a map<string, string|bytes> entry: key 1, value 2.
func mapEntry(b []byte) (string, []byte, error) {
	var key string
	var val []byte
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ == protowire.BytesType && num == 1 {
			key = string(v)
		} else if typ == protowire.BytesType && num == 2 {
			val = v
		}
		return nil
	})
	return key, val, err
}

// objectMeta reads the metadata an object is created with.
func objectMeta(b []byte) (map[string]any, error) {
	meta := map[string]any{}
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			meta["name"] = string(v)
		case 2:
			meta["generateName"] = string(v)
		case 3:
			meta["namespace"] = string(v)
		case 11, 12:
			k, val, err := mapEntry(v)
			if err != nil {
				return err
			}
			name := map[protowire.Number]string{11: "labels", 12: "annotations"}[num]
			m, _ := meta[name].(map[string]any)
			if m == nil {
				m = map[string]any{}
				meta[name] = m
			}
			m[k] = string(val)
		}
		return nil
	})
	return meta, err
}

// simpleKinds are the kinds read from protobuf: for each field number,
// how it is kept. "meta" is ObjectMeta; "strings" and "bytes" are maps
// whose bytes values are kept base64, as JSON has them; "string" and
// "bool" are scalars.
var simpleKinds = map[string]map[protowire.Number][2]string{
	"v1/Secret":         {1: {"metadata", "meta"}, 2: {"data", "bytes"}, 3: {"type", "string"}, 4: {"stringData", "strings"}, 5: {"immutable", "bool"}},
	"v1/ConfigMap":      {1: {"metadata", "meta"}, 2: {"data", "strings"}, 3: {"binaryData", "bytes"}, 4: {"immutable", "bool"}},
	"v1/Namespace":      {1: {"metadata", "meta"}},
	"v1/ServiceAccount": {1: {"metadata", "meta"}, 4: {"automountServiceAccountToken", "bool"}},
}

// decodeProtobuf reads a protobuf-encoded object as the JSON map the
// emulator keeps.
func decodeProtobuf(body []byte) (map[string]any, error) {
	if !bytes.HasPrefix(body, protobufMagic) {
		return nil, fmt.Errorf("the body is not a Kubernetes protobuf object")
	}
	var apiVersion, kind string
	var raw []byte
	err := fields(body[len(protobufMagic):], func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType: // TypeMeta
			return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if typ == protowire.BytesType && num == 1 {
					apiVersion = string(v)
				} else if typ == protowire.BytesType && num == 2 {
					kind = string(v)
				}
				return nil
			})
		case num == 2 && typ == protowire.BytesType:
			raw = v
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the body is not a Kubernetes protobuf object: %v", err)
	}
	layout, ok := simpleKinds[apiVersion+"/"+kind]
	if !ok {
		return nil, errUnsupportedProtobuf{kind}
	}
	obj := map[string]any{"apiVersion": apiVersion, "kind": kind}
	err = fields(raw, func(num protowire.Number, typ protowire.Type, v []byte, n uint64) error {
		f, ok := layout[num]
		if !ok {
			return nil
		}
		switch f[1] {
		case "meta":
			meta, err := objectMeta(v)
			obj[f[0]] = meta
			return err
		case "string":
			obj[f[0]] = string(v)
		case "bool":
			obj[f[0]] = n != 0
		case "strings", "bytes":
			k, val, err := mapEntry(v)
			if err != nil {
				return err
			}
			m, _ := obj[f[0]].(map[string]any)
			if m == nil {
				m = map[string]any{}
				obj[f[0]] = m
			}
			if f[1] == "bytes" {
				m[k] = base64.StdEncoding.EncodeToString(val)
			} else {
				m[k] = string(val)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the body is not a valid %s: %v", kind, err)
	}
	return obj, nil
}

// errUnsupportedProtobuf is a kind the emulator does not read from
// protobuf; the server answers 415.
type errUnsupportedProtobuf struct{ kind string }

func (e errUnsupportedProtobuf) Error() string {
	return fmt.Sprintf("this server reads a %s as JSON only: write it as a manifest and use kubectl apply -f", e.kind)
}

// readBody reads a request's object in either encoding.
func readBody(r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("the body could not be read")
	}
	if mediaType(r) == "application/vnd.kubernetes.protobuf" {
		return decodeProtobuf(b)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, fmt.Errorf("the body is not a JSON object (%s)", r.Header.Get("Content-Type"))
	}
	return obj, nil
}
