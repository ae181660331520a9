package idp

import "strings"

// parseUserAgent names the browser and operating system the way Okta's
// System Log does. Order matters: Edge and Opera say Chrome too, and
// Chrome says Safari.
func parseUserAgent(raw string) UserAgent {
	return UserAgent{RawUserAgent: raw, Browser: browserOf(raw), OS: osOf(raw)}
}

func browserOf(ua string) string {
	switch {
	case strings.Contains(ua, "Edg/"):
		return "EDGE_CHROMIUM"
	case strings.Contains(ua, "OPR/"):
		return "OPERA"
	case strings.Contains(ua, "Firefox/"):
		return "FIREFOX"
	case strings.Contains(ua, "Chrome/") || strings.Contains(ua, "CriOS/"):
		return "CHROME"
	case strings.Contains(ua, "Safari/") && strings.Contains(ua, "Version/"):
		return "SAFARI"
	}
	return "UNKNOWN" // curl, scripts, SDKs
}

func osOf(ua string) string {
	switch {
	case strings.Contains(ua, "Windows NT 10.0"):
		return "Windows 10"
	case strings.Contains(ua, "Windows"):
		return "Windows"
	case strings.Contains(ua, "iPhone") || strings.Contains(ua, "iPad"):
		return "iOS"
	case strings.Contains(ua, "Mac OS X"):
		return "Mac OS X"
	case strings.Contains(ua, "Android"):
		return "Android"
	case strings.Contains(ua, "CrOS"):
		return "Chrome OS"
	case strings.Contains(ua, "Linux"):
		return "Linux"
	}
	return "Unknown"
}

// deviceOf is Okta's client.device: what kind of machine, if a browser
// says.
func deviceOf(ua string) string {
	switch {
	case strings.Contains(ua, "Mobile") || strings.Contains(ua, "iPhone") || strings.Contains(ua, "Android"):
		return "Mobile"
	case strings.HasPrefix(ua, "Mozilla/"):
		return "Computer"
	}
	return "Unknown"
}
