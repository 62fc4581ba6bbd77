/** The current hash route as reactive state. */
import { parseHash, routeHref, type Route } from './lib/routes.ts';

class Router {
  route = $state.raw<Route>(parseHash(location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.route = parseHash(location.hash);
    });
  }

  /** Navigates to `route`; with `replace` the history entry is replaced. */
  go(route: Route, replace = false): void {
    const href = routeHref(route);
    if (replace) {
      history.replaceState(history.state, '', href);
      this.route = parseHash(href);
    } else {
      location.hash = href;
    }
  }
}

export const router = new Router();
