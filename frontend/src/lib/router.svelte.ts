// A small path router: the server answers every app path with index.html,
// so the address bar always names the page and a refresh stays on it.

export const route = $state({ path: location.pathname, query: new URLSearchParams(location.search) })

export function navigate(to: string, replace = false) {
  const url = new URL(to, location.origin)
  if (url.pathname + url.search === location.pathname + location.search) return
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  sync()
}

function sync() {
  route.path = location.pathname
  route.query = new URLSearchParams(location.search)
  window.scrollTo(0, 0)
}

addEventListener('popstate', sync)

// link makes an <a href> navigate in-app, keeping modified clicks (new tab)
// to the browser.
export function link(node: HTMLAnchorElement) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(node.getAttribute('href') ?? '/')
  }
  node.addEventListener('click', onClick)
  return { destroy: () => node.removeEventListener('click', onClick) }
}
