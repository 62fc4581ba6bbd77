/** Entry point: global styles, the app shell, and the start-up load. */
import { mount } from 'svelte';
import './ui/app.css';
import App from './ui/App.svelte';
import { you } from './ui/profile.svelte.ts';
import { app } from './ui/state.svelte.ts';
import { afterFirstContent, contentShown } from './ui/lib/startup.ts';
import { parseHash } from './ui/lib/routes.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element.');

mount(App, { target });
// Only Home says when its content is shown; any other first page needs the profile at once.
if (parseHash(location.hash).name !== 'home') contentShown();
void app.init();
// The profile (For You, your ratings on the cards) follows the first page's content.
void afterFirstContent().then(() => you.init());
