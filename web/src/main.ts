/** Entry point: defines the app element. Firebase loads later, on demand. */
import './elements/parley-app.js';
