import { GoogleGenAI } from '@google/genai';
import { instrumentGoogleGenAI } from '@nemo-flow/google-genai';

const ai = instrumentGoogleGenAI(new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY }));

const res = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Why is the sky blue?' });
console.log(res.text);
