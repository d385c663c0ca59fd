// The camera: a live <video> and, on request, its current frame as a JPEG (what a face payload carries).

/** Frames are scaled down to this longest side: plenty for face detection, and a small payload. */
const MAX_FRAME_SIDE = 640;
const JPEG_QUALITY = 0.8;

export class Camera {
  private readonly canvas = document.createElement("canvas");

  private constructor(
    private readonly video: HTMLVideoElement,
    private readonly stream: MediaStream,
  ) {}

  static async open(video: HTMLVideoElement): Promise<Camera> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    video.srcObject = stream;
    await video.play();
    return new Camera(video, stream);
  }

  /** The size frames are sent at, which is also the coordinate space of the face boxes in replies. */
  get frameSize(): { width: number; height: number } {
    const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(this.video.videoWidth, this.video.videoHeight, 1));
    return { width: Math.round(this.video.videoWidth * scale), height: Math.round(this.video.videoHeight * scale) };
  }

  /** The current frame as JPEG, or undefined before the video has a frame. */
  async frame(): Promise<Blob | undefined> {
    const { width, height } = this.frameSize;
    if (width === 0 || height === 0) return undefined;
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.getContext("2d")?.drawImage(this.video, 0, 0, width, height);
    return new Promise((resolve) => this.canvas.toBlob((blob) => resolve(blob ?? undefined), "image/jpeg", JPEG_QUALITY));
  }

  stop(): void {
    for (const track of this.stream.getTracks()) track.stop();
    this.video.srcObject = null;
  }
}
