import { css } from 'lit';

/**
 * What the pages' buttons and error boxes look like, shared so that random
 * chat, private calls and the check look like one product.
 */
export const sharedStyles = css`
  button {
    font: inherit;
    padding: 0.6rem 1.4rem;
    border-radius: 0.5rem;
    border: 1px solid #888;
    background: #fff;
    cursor: pointer;
  }
  button.primary {
    background: #0b57d0;
    border-color: #0b57d0;
    color: #fff;
  }
  .problem {
    border: 1px solid #d93025;
    background: #fce8e6;
    border-radius: 0.5rem;
    padding: 0.5rem 1rem;
  }
  .problem p {
    margin: 0.25rem 0;
  }
  /* "Tap to unmute", over the top of the video stage (which is position: relative). */
  button.unmute {
    position: absolute;
    top: 0.75rem;
    left: 50%;
    transform: translateX(-50%);
    z-index: 1;
    background: #fff;
    box-shadow: 0 0.1rem 0.5rem #0006;
  }
`;

/**
 * The header row every page starts with: the name on the left, the page's
 * own controls beside it, wrapping under it on a phone.
 */
export const headerStyles = css`
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 0.5rem;
  }
  header .nav {
    display: flex;
    /* On a phone the choices beside the brand go to a second line rather than off the screen. */
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  h1 {
    margin: 0;
    font-size: 1.5rem;
  }
`;
